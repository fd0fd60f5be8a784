import { KinesisClient } from '@aws-sdk/client-kinesis';

export type FakeAnswer = (command: string, input: Record<string, unknown>) => unknown;

/**
 * A real SDK client whose calls never leave the process: a middleware at the front of the
 * stack answers each command with what `answer` returns (or throws).
 */
export function fakeKinesisClient(answer: FakeAnswer): KinesisClient {
  const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const output = await answer(context.commandName ?? '', args.input as Record<string, unknown>);
      return { output: { $metadata: {}, ...(output as object) }, response: {} };
    },
    { step: 'initialize', name: 'fakeAnswers', priority: 'high' },
  );
  return client;
}

/** An AWS-style service error, shaped like the SDK's. */
export function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
