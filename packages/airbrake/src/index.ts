export { parseV8Stack, type BacktraceFrame } from './backtrace.js';
export { airbrakeLogHook } from './log-hook.js';
export { buildNotice, NOTIFIER, type AirbrakeNotice, type NoticeError, type NoticeOptions, type Severity } from './notice.js';
export {
  AirbrakeNotifier,
  DEFAULT_AIRBRAKE_HOST,
  type AirbrakeNotifierOptions,
  type NotifierLogger,
  type NotifyOptions,
  type NotifyResult,
} from './notifier.js';
