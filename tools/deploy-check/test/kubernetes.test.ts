import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findObject, renderKustomization, serverConfigProblems, type KubeObject } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// The parts of the rendered objects these checks read.
interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports: ContainerPort[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string; optional?: boolean } }[];
}
interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}
interface ServerConfig {
  port: number;
  status_port: number;
  monitoring: { prometheus_metrics_port: number; prometheus_metrics_host: string };
  tls: Record<string, string>;
}

/** drainMs and flushMs of the server's default shutdown, read from its source. */
function shutdownTimeoutsMs(): { drainMs: number; flushMs: number } {
  const source = readFileSync(join(root, 'apps/server/src/server.ts'), 'utf8');
  const match = /DEFAULT_SHUTDOWN_TIMEOUTS[^=]*=\s*\{\s*drainMs:\s*([\d_]+),\s*flushMs:\s*([\d_]+)/.exec(source);
  if (match === null) throw new Error('apps/server/src/server.ts no longer declares DEFAULT_SHUTDOWN_TIMEOUTS = { drainMs, flushMs }: update this check');
  return { drainMs: Number(match[1]!.replaceAll('_', '')), flushMs: Number(match[2]!.replaceAll('_', '')) };
}

function isSubset(subset: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(subset).every(([key, value]) => labels[key] === value);
}

function checkRendering(directory: string) {
  const objects = renderKustomization(join(root, directory));
  const deployment = findObject(objects, 'Deployment') as Deployment;
  const pod = deployment.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels;
  const container = pod.containers[0]!;
  const configVolume = pod.volumes.find((volume) => volume.configMap !== undefined)!;
  const configMap = findObject(objects, 'ConfigMap', configVolume.configMap!.name) as KubeObject & { data: Record<string, string> };
  const config = JSON.parse(configMap.data['config.json']!) as ServerConfig;
  const portNumber = (port: number | string | undefined) =>
    typeof port === 'number' ? port : container.ports.find((candidate) => candidate.name === port)?.containerPort;

  it('renders a Deployment, Service, ConfigMap, PodDisruptionBudget and autoscaling/v2 HorizontalPodAutoscaler', () => {
    const kinds = objects.map((object) => `${object.apiVersion} ${object.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['apps/v1 Deployment', 'v1 Service', 'v1 ConfigMap', 'policy/v1 PodDisruptionBudget', 'autoscaling/v2 HorizontalPodAutoscaler']),
    );
  });

  it('mounts a config.json that the server schema accepts at the path the image reads', () => {
    expect(serverConfigProblems(config, join(root, 'apps/server/config.schema.json'))).toEqual([]);
    const mount = container.volumeMounts.find((candidate) => candidate.name === configVolume.name);
    expect(mount?.mountPath).toBe('/etc/fleet-telemetry/config.json');
    expect(container.args ?? ['-config=/etc/fleet-telemetry/config.json']).toEqual(['-config=/etc/fleet-telemetry/config.json']);
  });

  it("probes GET /status on the config's status_port", () => {
    const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe];
    for (const probe of probes) {
      expect(probe?.httpGet?.path).toBe('/status');
      expect(portNumber(probe?.httpGet?.port)).toBe(config.status_port);
    }
  });

  it("exposes the config's mTLS port and lets Prometheus scrape its metrics port", () => {
    expect(portNumber('mtls')).toBe(config.port);
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(String(config.monitoring.prometheus_metrics_port));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(config.monitoring.prometheus_metrics_host).toBe('0.0.0.0');
  });

  it("gives the pod longer to stop than the preStop pause plus the server's drain and flush", () => {
    const { drainMs, flushMs } = shutdownTimeoutsMs();
    const preStop = container.lifecycle?.preStop;
    const preStopSeconds = preStop?.sleep?.seconds ?? (preStop?.exec?.command[0] === 'sleep' ? Number(preStop.exec.command[1]) : 0);
    const graceSeconds = pod.terminationGracePeriodSeconds ?? 30;
    expect(graceSeconds).toBeGreaterThan(preStopSeconds + (drainMs + flushMs) / 1000);
  });

  it('runs as a non-root user without privileges, with resources set', () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  it('reads the server certificate and key from a mounted Secret', () => {
    const tlsVolume = pod.volumes.find((volume) => volume.secret !== undefined);
    expect(tlsVolume?.secret?.optional).not.toBe(true);
    const mount = container.volumeMounts.find((candidate) => candidate.name === tlsVolume?.name);
    expect(mount).toBeDefined();
    // No subPath: renewed certificates must appear in place for the server to reload them.
    expect(mount?.subPath).toBeUndefined();
    for (const file of [config.tls.server_cert, config.tls.server_key]) expect(file?.startsWith(`${mount!.mountPath}/`)).toBe(true);
  });

  it('passes TLS through: a LoadBalancer Service forwarding TCP 443 to the mTLS port, local traffic policy', () => {
    const service = findObject(objects, 'Service') as KubeObject & {
      spec: { type: string; externalTrafficPolicy: string; selector: Record<string, string>; ports: { port: number; targetPort: number | string; protocol?: string; appProtocol?: string }[] };
    };
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    expect(service.spec.ports).toHaveLength(1);
    const [port] = service.spec.ports;
    expect(port).toMatchObject({ port: 443, protocol: 'TCP' });
    expect(port!.appProtocol).toBeUndefined();
    expect(portNumber(port!.targetPort)).toBe(config.port);
    // No cloud annotation that terminates TLS at the load balancer.
    expect(Object.keys(service.metadata.annotations ?? {}).filter((key) => /ssl|tls|cert/i.test(key))).toEqual([]);
    expect(isSubset(service.spec.selector, podLabels)).toBe(true);
  });

  it("selects the Deployment's pods from the Deployment, the Service and the PodDisruptionBudget", () => {
    expect(isSubset(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    const budget = findObject(objects, 'PodDisruptionBudget') as KubeObject & { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(Object.keys(budget.spec.selector.matchLabels).length).toBeGreaterThan(0);
    expect(isSubset(budget.spec.selector.matchLabels, podLabels)).toBe(true);
  });

  it('scales the Deployment with the HorizontalPodAutoscaler', () => {
    const autoscaler = findObject(objects, 'HorizontalPodAutoscaler') as KubeObject & {
      spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas: number; maxReplicas: number };
    };
    expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.spec.maxReplicas).toBeGreaterThan(autoscaler.spec.minReplicas);
    expect(deployment.spec.replicas).toBe(autoscaler.spec.minReplicas);
  });

  return { objects, deployment, config };
}

describe('deploy/k8s/base', () => {
  checkRendering('deploy/k8s/base');
});

describe('deploy/k8s/overlays/example', () => {
  const { objects, deployment } = checkRendering('deploy/k8s/overlays/example');
  const base = renderKustomization(join(root, 'deploy/k8s/base'));

  it('puts every object in its namespace, which it creates', () => {
    const namespace = findObject(objects, 'Namespace');
    for (const object of objects.filter((candidate) => candidate.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(namespace.metadata.name);
    }
  });

  it('sets a tagged image, its replicas and its own config', () => {
    expect(deployment.spec.template.spec.containers[0]!.image).toMatch(/^[\w.-]+(?:\/[\w.-]+)+:[\w.-]+$/);
    const baseDeployment = findObject(base, 'Deployment') as Deployment;
    expect(deployment.spec.replicas).not.toBe(baseDeployment.spec.replicas);
    const configOf = (rendered: KubeObject[]) => (findObject(rendered, 'ConfigMap') as KubeObject & { data: Record<string, string> }).data['config.json'];
    expect(configOf(objects)).not.toBe(configOf(base));
  });
});
