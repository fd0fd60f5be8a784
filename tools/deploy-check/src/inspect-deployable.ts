import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The packages a deployable's node_modules holds at its top level (what the server imports). */
export function topLevelPackages(directory: string): string[] {
  const modules = join(directory, 'node_modules');
  const names: string[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) names.push(...readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`));
    else names.push(entry);
  }
  return names.sort();
}

/** For every `@fleet-telemetry/*` package of the deployable, the entries of its folder. */
export function workspacePackageContents(directory: string): Record<string, string[]> {
  const scope = join(directory, 'node_modules', '@fleet-telemetry');
  const contents: Record<string, string[]> = {};
  for (const name of existsSync(scope) ? readdirSync(scope) : []) {
    contents[`@fleet-telemetry/${name}`] = readdirSync(join(scope, name))
      .filter((entry) => entry !== 'node_modules')
      .sort();
  }
  return contents;
}

export interface NativeKafkaClient {
  readonly librdkafkaVersion: string;
  readonly features: readonly string[];
}

/**
 * Loads node-rdkafka as the Kafka sink of the deployable would, in a child process: proves the
 * pruned package still has its addon and the librdkafka it links, and lists its features (ssl,
 * sasl, compression codecs).
 */
export function nativeKafkaClient(directory: string, env: NodeJS.ProcessEnv): NativeKafkaClient {
  const sinkManifest = realpathSync(join(directory, 'node_modules', '@fleet-telemetry', 'sink-kafka', 'package.json'));
  const script = `
    const kafka = require('node:module').createRequire(${JSON.stringify(sinkManifest)})('node-rdkafka');
    process.stdout.write(JSON.stringify({ librdkafkaVersion: kafka.librdkafkaVersion, features: kafka.features }));
  `;
  const output = execFileSync(process.execPath, ['-e', script], { cwd: directory, env, encoding: 'utf8' });
  return JSON.parse(output) as NativeKafkaClient;
}
