import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';

/**
 * StatsD counters are increments, so counters and histograms are collected as deltas since the last
 * export. Up-down counters and gauges stay cumulative: StatsD gets their current value as a gauge.
 */
export function statsdTemporality(instrumentType: InstrumentType): AggregationTemporality {
  switch (instrumentType) {
    case InstrumentType.COUNTER:
    case InstrumentType.OBSERVABLE_COUNTER:
    case InstrumentType.HISTOGRAM:
      return AggregationTemporality.DELTA;
    default:
      return AggregationTemporality.CUMULATIVE;
  }
}
