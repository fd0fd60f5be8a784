import { create, toBinary } from '@bufbuild/protobuf';
import { Field, PayloadSchema } from '@fleet-telemetry/codec';
import { describeSinkConformance } from '@fleet-telemetry/sink-api/conformance';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { LoggerSink } from '../src/index.js';

const lines: string[] = [];

describeSinkConformance(
  'LoggerSink',
  async () => ({ sink: new LoggerSink({ logger: pino({}, { write: (line: string) => lines.push(line) }) }) }),
  {
    record: (index) =>
      testRecord({
        payload: toBinary(
          PayloadSchema,
          create(PayloadSchema, { data: [{ key: Field.Soc, value: { value: { case: 'intValue', value: index } } }] }),
        ),
      }),
  },
);
