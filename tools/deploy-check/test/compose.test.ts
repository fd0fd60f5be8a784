import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  localPaths,
  metricNamesInPromQL,
  metricNamesInSources,
  mountedAt,
  publishedPorts,
  readComposeFile,
  readJsonFile,
  seriesNames,
  serverConfigProblems,
  serviceEnvironment,
} from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const compose = readComposeFile(join(root, 'docker-compose.yml'));
const services = compose.services;
const server = services.server!;

interface ServerConfig {
  port: number;
  status_port: number;
  kafka: Record<string, string | number>;
  monitoring: { prometheus_metrics_port: number; prometheus_metrics_host: string };
  records: Record<string, string[]>;
  tls: { server_cert: string; server_key: string; ca_file: string };
}

const configFile = mountedAt(server, root, '/etc/fleet-telemetry/config.json');
const config = readJsonFile(configFile ?? '/nonexistent') as unknown as ServerConfig;

describe('docker-compose.yml', () => {
  it('has the datastores, the server, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'kafka', 'kinesis', 'prometheus', 'pubsub', 'server']);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeDefined();
      expect(service.image, name).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
    }
  });

  it('builds the server from the Dockerfile at the repository root', () => {
    expect(server.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
  });

  it('refers only to local files and folders that exist', () => {
    const paths = Object.values(services).flatMap((service) => localPaths(service, root));
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((path) => !existsSync(path))).toEqual([]);
  });

  it('publishes no host port twice', () => {
    const hostPorts = Object.entries(services).flatMap(([name, service]) =>
      publishedPorts(service).map((port) => `${port.host}/${port.protocol} (${name})`),
    );
    const seen = new Map<string, string>();
    const collisions: string[] = [];
    for (const entry of hostPorts) {
      const key = entry.split(' ')[0]!;
      if (seen.has(key)) collisions.push(`${entry} and ${seen.get(key)}`);
      seen.set(key, entry);
    }
    expect(collisions).toEqual([]);
  });
});

describe('the server of the compose stack', () => {
  it('mounts a config that the server schema accepts', () => {
    expect(configFile).toBeDefined();
    expect(serverConfigProblems(config, join(root, 'apps/server/config.schema.json'))).toEqual([]);
  });

  it('routes every record type to Kafka and the logger sink', () => {
    for (const type of ['V', 'alerts', 'errors', 'connectivity']) expect(config.records[type]?.sort()).toEqual(['kafka', 'logger']);
  });

  it("reaches Kafka on a listener the broker advertises to containers", () => {
    const advertised = serviceEnvironment(services.kafka!).KAFKA_ADVERTISED_LISTENERS!.split(',').map((listener) => listener.split('://')[1]);
    expect(advertised).toContain(config.kafka['bootstrap.servers']);
    expect(server.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' } });
  });

  it('publishes the mTLS, status and metrics ports of its config', () => {
    const containerPorts = publishedPorts(server).map((port) => port.container);
    expect(containerPorts).toEqual(
      expect.arrayContaining([config.port, config.status_port, config.monitoring.prometheus_metrics_port]),
    );
    // The image's health check asks STATUS_PORT.
    expect(serviceEnvironment(server).STATUS_PORT).toBe(String(config.status_port));
  });

  it('mounts the PKI folder its tls paths point into', () => {
    const pki = mountedAt(server, root, '/etc/fleet-telemetry/pki');
    expect(pki).toBeDefined();
    for (const file of Object.values(config.tls)) expect(file).toMatch(/^\/etc\/fleet-telemetry\/pki\/[\w.-]+$/);
  });
});

describe('Prometheus of the compose stack', () => {
  const prometheusFile = mountedAt(services.prometheus!, root, '/etc/prometheus/prometheus.yml');
  const prometheus = parse(readFileSync(prometheusFile ?? '/nonexistent', 'utf8')) as {
    scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
  };

  it("scrapes the server's metrics port from the mounted config, which listens beyond loopback", () => {
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
    expect(targets).toEqual([`server:${config.monitoring.prometheus_metrics_port}`]);
    expect(prometheus.scrape_configs[0]!.metrics_path ?? '/metrics').toBe('/metrics');
    expect(config.monitoring.prometheus_metrics_host).toBe('0.0.0.0');
  });
});

describe('Grafana of the compose stack', () => {
  const grafana = services.grafana!;
  const provisioning = mountedAt(grafana, root, '/etc/grafana/provisioning')!;
  const datasources = parse(readFileSync(join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parse(readFileSync(join(provisioning, 'dashboards/fleet-telemetry.yml'), 'utf8')) as {
    providers: { options: { path: string } }[];
  };
  const dashboardDirectory = mountedAt(grafana, root, providers.providers[0]!.options.path);
  const dashboard = JSON.parse(readFileSync(join(dashboardDirectory ?? '/nonexistent', 'fleet-telemetry.json'), 'utf8')) as {
    panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
  };
  const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

  it('provisions the Prometheus of the stack as the data source the dashboard uses', () => {
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    const uid = datasources.datasources[0]!.uid;
    for (const panel of dashboard.panels.filter((candidate) => candidate.type !== 'row')) expect(panel.datasource?.uid, panel.title).toBe(uid);
  });

  it('loads the dashboard from a mounted folder', () => {
    expect(dashboardDirectory).toBeDefined();
    expect(queries.length).toBeGreaterThan(20);
  });

  it('queries only metrics that the server code creates', () => {
    const created = seriesNames(metricNamesInSources([join(root, 'packages'), join(root, 'apps')]));
    expect(created).toContain('record_total');
    const unknown = queries.flatMap(({ panel, expr }) =>
      metricNamesInPromQL(expr)
        .filter((name) => !created.has(name))
        .map((name) => `${name} (${panel})`),
    );
    expect(unknown).toEqual([]);
  });

  it('shows connections, records by type, acks, errors, and each sink', () => {
    const queried = new Set(queries.flatMap(({ expr }) => metricNamesInPromQL(expr)));
    for (const name of [
      'num_connections',
      'record_total',
      'dispatch_total',
      'reliable_ack',
      'reliable_ack_miss',
      'socket_err_total',
      'rate_limit_exceeded_total',
      'kafka_produce_total',
      'kafka_produce_ack_total',
      'kafka_err',
      'kafka_produce_queue_size',
      'kinesis_publish_total',
      'kinesis_pending_records',
      'pubsub_publish_total',
      'pubsub_pending_records',
    ]) {
      expect(queried, name).toContain(name);
    }
    expect(queries.some(({ expr }) => /sum by \(record_type\) \(rate\(record_total\[/.test(expr))).toBe(true);
  });
});
