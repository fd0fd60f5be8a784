import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/**
 * Renders a kustomization directory with `kubectl kustomize` and parses the YAML stream. Fails
 * with a message saying so when kubectl is not installed.
 */
export function renderKustomization(directory: string): KubeObject[] {
  const result = spawnSync('kubectl', ['kustomize', directory], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'kubectl is not installed (or not on PATH): the Kubernetes manifest checks render deploy/k8s with `kubectl kustomize`. Install kubectl.'
        : `kubectl kustomize ${directory} could not run: ${result.error.message}`,
    );
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize ${directory} failed (${result.status}):\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`kubectl kustomize ${directory} printed bad YAML: ${document.errors[0]!.message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

/** The one object of a kind (and name, if given); throws naming what is missing or ambiguous. */
export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const matches = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (matches.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` named ${name}`}, found ${matches.length}`);
  return matches[0]!;
}
