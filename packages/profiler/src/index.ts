export { startCpuProfile, type CpuProfile, type CpuProfileOptions, type RunningCpuProfile } from './cpu-profile.js';
export { writeHeapSnapshot } from './heap-snapshot.js';
export { DEFAULT_PROFILER_HOST, startProfilerServer, type ProfilerServer, type ProfilerServerOptions } from './profiler-server.js';
export { startRunProfile, type RunProfile } from './run-profile.js';
