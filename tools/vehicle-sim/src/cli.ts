#!/usr/bin/env node
import { main } from './cli/main.js';

const stop = new AbortController();
process.on('SIGINT', () => {
  // First Ctrl-C: stop sending, wait for answers, print the summary. Second: leave at once.
  if (stop.signal.aborted) process.exit(130);
  stop.abort();
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: stop.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
