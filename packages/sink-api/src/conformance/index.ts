export {
  sinkConformanceChecks,
  type CheckResult,
  type ConformanceCheck,
  type SinkConformanceOptions,
  type SinkFactory,
  type SinkUnderTest,
  type StoredRecord,
} from './checks.js';
export { describeSinkConformance } from './describe.js';
