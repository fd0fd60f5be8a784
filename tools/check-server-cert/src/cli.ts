#!/usr/bin/env node
import { CaCertificateError, checkServerCertificate } from './check.js';
import { parseCliArguments, usage, UsageError, type CliCommand } from './cli-options.js';
import { formatReport } from './format.js';

/** 0: vehicles will accept the certificate; 1: a problem was found; 2: usage error. */
async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`check-server-cert: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    const report = await checkServerCertificate(command.check);
    process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, command.caName));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof CaCertificateError)) throw error;
    process.stderr.write(`check-server-cert: ${command.caName}: ${error.message}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    // Neither "good" nor "a problem with the server": an unexpected failure of the check itself.
    process.exitCode = 2;
  },
);
