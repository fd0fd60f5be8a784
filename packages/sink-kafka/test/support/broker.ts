import { startKafka, type KafkaBroker } from '@fleet-telemetry/test-services';

/**
 * A fresh single-node broker. One retry: formatting the log directory fails now and then when
 * the random cluster id starts with `-` (Kafka's storage tool reads it as an option).
 */
export async function startBroker(): Promise<KafkaBroker> {
  try {
    return await startKafka();
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('formatting the Kafka log directory failed')) throw error;
    return startKafka();
  }
}
