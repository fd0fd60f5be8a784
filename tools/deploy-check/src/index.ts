export {
  dockerStages,
  entrypointAndCmd,
  execForm,
  exposedPorts,
  healthcheckCommand,
  parseDockerfile,
  splitFlags,
  stageEnv,
  type DockerInstruction,
  type DockerStage,
} from './dockerfile.js';
export { readImageRecipe, type ImageRecipe } from './image-recipe.js';
export { buildDeployable, type BuildDeployableOptions, type BuiltDeployable } from './build-deployable.js';
export { nativeKafkaClient, topLevelPackages, workspacePackageContents, type NativeKafkaClient } from './inspect-deployable.js';
export { runDeployable, type DeployableRun, type RunDeployableOptions } from './run-deployable.js';
export { cleanEnvironment } from './processes.js';
export { exportCommit, repositoryRoot } from './repository.js';
export { freePort, httpGet, type HttpAnswer } from './net.js';
export { lintDockerfile, type DockerfileFinding } from './dockerfile-lint.js';
export {
  bindMounts,
  localPaths,
  mountedAt,
  publishedPorts,
  readComposeFile,
  serviceEnvironment,
  type BindMount,
  type ComposeFile,
  type ComposeService,
  type PublishedPort,
} from './compose.js';
export { findObject, renderKustomization, type KubeObject } from './kustomize.js';
export { metricNamesInPromQL, metricNamesInSources, seriesNames, type InstrumentKind } from './metric-names.js';
export { readJsonFile, serverConfigProblems } from './server-config.js';
