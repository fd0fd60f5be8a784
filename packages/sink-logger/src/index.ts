export { LoggerSink, type LoggerSinkOptions } from './logger-sink.js';
