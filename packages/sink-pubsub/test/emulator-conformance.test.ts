import { describeSinkConformance } from '@fleet-telemetry/sink-api/conformance';
import { startPubSubEmulator, type PubSubEmulator } from '@fleet-telemetry/test-services';
import { afterAll, beforeAll } from 'vitest';
import { PubSubSink } from '../src/index.js';
import { EmulatorAdmin, type SubscriptionReader } from './support/emulator-admin.js';

let emulator: PubSubEmulator;
let reader: SubscriptionReader;

beforeAll(async () => {
  emulator = await startPubSubEmulator({ projectId: 'conformance' });
  const admin = new EmulatorAdmin(emulator.host, emulator.projectId);
  await admin.createTopic('tesla_V');
  reader = await admin.subscribe('tesla_V', 'conformance-reader');
});

afterAll(async () => {
  await emulator?.destroy();
});

describeSinkConformance(
  'PubSubSink against the Pub/Sub emulator',
  async () => ({
    sink: new PubSubSink({
      namespace: 'tesla',
      recordTypes: ['V'],
      config: { gcp_project_id: emulator.projectId },
      env: { PUBSUB_EMULATOR_HOST: emulator.host },
    }),
    readBack: () => reader.readAll(),
  }),
  { recordType: 'V', timeoutMs: 15_000 },
);
