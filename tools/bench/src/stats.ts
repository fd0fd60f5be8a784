/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: how much the runs disagree. */
  spread: number;
}

export function summarize(values: readonly number[]): Summary {
  const middle = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: middle, min, max, spread: middle === 0 ? 0 : (max - min) / middle };
}

/** Operations per second: `operations` done in `nanoseconds`. */
export function ratePerSecond(operations: number, nanoseconds: number): number {
  if (nanoseconds <= 0) throw new Error('a run must take time');
  return (operations * 1e9) / nanoseconds;
}

/** `1234567.8` → `1,234,568`. */
export function formatRate(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

/** `3.14159` → `3.1x`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(1)}x`;
}

/** A plain-text table, columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => /^[\d,.x%-]*$/.test(row[column] ?? '')));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
