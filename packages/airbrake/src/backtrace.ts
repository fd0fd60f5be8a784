/** One frame of an Airbrake backtrace. */
export interface BacktraceFrame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly function: string;
}

// `    at fn (file:line:col)`, `    at file:line:col`, `    at async fn (file:line:col)`.
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
// Frames without a position: `at new Promise (<anonymous>)`, `at fn (native)`.
const NO_POSITION = /^\s*at (?:async )?(.*?) \((.+)\)$/;

/**
 * The frames of a V8 stack trace (the only engine this runs on), innermost first. Lines that are not
 * frames (the message, which may span lines) are skipped.
 */
export function parseV8Stack(stack: string | undefined): BacktraceFrame[] {
  if (stack === undefined) return [];
  const frames: BacktraceFrame[] = [];
  for (const text of stack.split('\n')) {
    if (!/^\s*at /.test(text)) continue;
    const frame = FRAME.exec(text);
    if (frame !== null) {
      frames.push({ function: frame[1] ?? '', file: frame[2] ?? '', line: Number(frame[3]), column: Number(frame[4]) });
      continue;
    }
    const bare = NO_POSITION.exec(text);
    if (bare !== null) frames.push({ function: bare[1] ?? '', file: bare[2] ?? '', line: 0, column: 0 });
  }
  return frames;
}
