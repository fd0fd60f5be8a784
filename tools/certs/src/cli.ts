#!/usr/bin/env node
import { isAbsolute, relative } from 'node:path';
import { parseCliArguments, usage, type CliCommand } from './cli-options.js';
import { createDevPki } from './dev-pki.js';

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArguments(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(usage);
    return 0;
  }
  const pki = await createDevPki(command.dir, command.options);
  const show = (file: string): string => {
    const path = relative(process.cwd(), file);
    return path === '' ? '.' : path.startsWith('..') || isAbsolute(path) ? file : path;
  };
  if (pki.written.length === 0) {
    console.log(`Development PKI in ${show(pki.dir)} is up to date.`);
  } else {
    console.log(`Wrote to ${show(pki.dir)}:`);
    for (const file of pki.written) console.log(`  ${show(file)}`);
  }
  console.log(`Server: cert ${show(pki.serverCertFile)}, key ${show(pki.serverKeyFile)}, client CA bundle ${show(pki.chainFile)}`);
  console.log(`Clients trust: ${show(pki.caFile)}`);
  for (const vehicle of pki.vehicles) {
    console.log(`Vehicle ${vehicle.vin}: cert ${show(vehicle.certFile)}, key ${show(vehicle.keyFile)}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
