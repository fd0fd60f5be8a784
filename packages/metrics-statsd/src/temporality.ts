import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';

/**
 * StatsD counters are increments, so counters and histograms are collected as deltas since the last
 * export. Gauges too: a delta collection holds only the values observed since the last export, so a
 * series nobody observes any more drops out (and is set to 0) instead of repeating its last value.
 * Up-down counters stay cumulative: StatsD gets their running total as a gauge.
 */
export function statsdTemporality(instrumentType: InstrumentType): AggregationTemporality {
  switch (instrumentType) {
    case InstrumentType.COUNTER:
    case InstrumentType.OBSERVABLE_COUNTER:
    case InstrumentType.HISTOGRAM:
    case InstrumentType.GAUGE:
    case InstrumentType.OBSERVABLE_GAUGE:
      return AggregationTemporality.DELTA;
    default:
      return AggregationTemporality.CUMULATIVE;
  }
}
