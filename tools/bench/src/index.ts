export { formatRate, formatRatio, formatTable, median, ratePerSecond, summarize, type Summary } from './stats.js';
export {
  measure,
  measureRounds,
  ratioByRound,
  type Measurement,
  type MeasureOptions,
  type RoundsMeasurement,
  type RoundsOptions,
} from './measure.js';
