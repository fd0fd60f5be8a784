export { formatRate, formatRatio, formatTable, median, ratePerSecond, summarize, type Summary } from './stats.js';
export { measure, type Measurement, type MeasureOptions } from './measure.js';
