import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManagedProcess } from './managed-process.js';
import { freePort, isListening, waitFor } from './ports.js';

const run = promisify(execFile);

/** The Apache Kafka release the tests run against. */
export const KAFKA_VERSION = '4.1.1';
const LOG4J_VERSION = '2.25.3';

export interface KafkaOptions {
  /** Broker port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** Log directory; default a fresh temporary directory, removed by `stop({ removeData: true })`. */
  dataDir?: string;
  /** JVM heap, small by default: the broker shares 2 cores with the tests. */
  heap?: string;
  startTimeoutMs?: number;
}

export interface KafkaBroker {
  readonly bootstrapServers: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Stops the broker, keeping its data so `start()` brings the same topics back. */
  stop(): Promise<void>;
  /** Starts a stopped broker again on the same port and data. */
  start(): Promise<void>;
  /** Stops the broker and removes its data directory. */
  destroy(): Promise<void>;
}

export function cacheDir(): string {
  return process.env.FLEET_TELEMETRY_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'fleet-telemetry');
}

/**
 * Fetches the broker's jars (org.apache.kafka:kafka_2.13 and its runtime dependencies, plus a
 * log4j2 backend) from Maven Central with Maven, once per machine.
 */
export async function ensureKafkaJars(log: (line: string) => void = () => {}): Promise<string> {
  const home = join(cacheDir(), `kafka-${KAFKA_VERSION}`);
  const libs = join(home, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  mkdirSync(home, { recursive: true });
  const staging = mkdtempSync(join(home, 'staging-'));
  writeFileSync(
    join(staging, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.fleet-telemetry</groupId><artifactId>kafka-broker-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`,
  );
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (once per machine)`);
  try {
    await run('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${join(staging, 'libs')}`, '-DincludeScope=runtime'], {
      cwd: staging,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not fetch the Kafka jars with Maven (is 'mvn' installed and Maven Central reachable?): ${detail}`);
  }
  try {
    renameSync(join(staging, 'libs'), libs);
  } catch {
    // Another process finished first: its copy is as good as ours.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return libs;
}

function brokerProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = org.apache.kafka
logger.kafka.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
`;

/** Formats a single-node KRaft log directory and starts the broker on 127.0.0.1. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const libs = await ensureKafkaJars((line) => process.stderr.write(`${line}\n`));
  const port = options.port ?? (await freePort());
  const controllerPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fleet-telemetry-kafka-'));
  const logDir = join(dataDir, 'kraft-logs');
  mkdirSync(logDir, { recursive: true });
  const configFile = join(dataDir, 'server.properties');
  const log4jFile = join(dataDir, 'log4j2.properties');
  const logFile = join(dataDir, 'broker.log');
  writeFileSync(configFile, brokerProperties(port, controllerPort, logDir));
  writeFileSync(log4jFile, LOG4J2_PROPERTIES);

  const heap = options.heap ?? '512m';
  const jvm = [`-Xmx${heap}`, `-Xms${heap}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', `${libs}/*`];
  const clusterId = randomBytes(16).toString('base64url');
  if (!existsSync(join(logDir, 'meta.properties'))) {
    await run('java', [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', configFile], { maxBuffer: 4 * 1024 * 1024 }).catch((error: Error) => {
      throw new Error(`formatting the Kafka log directory failed: ${error.message}`);
    });
  }

  const broker = new ManagedProcess({ name: 'kafka', command: 'java', args: [...jvm, 'kafka.Kafka', configFile], logFile });
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const start = async () => {
    broker.start();
    await broker.waitForOutput(/Kafka Server started/, timeoutMs);
    await waitFor(`Kafka on 127.0.0.1:${port}`, () => isListening(port), timeoutMs);
  };
  await start();
  return {
    bootstrapServers: `127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    stop: () => broker.stop(),
    start,
    destroy: async () => {
      await broker.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
