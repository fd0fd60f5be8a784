import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadDecodeError, transformPayload } from '../src/records/index.js';
import { parseLocation, parseLocationBytes } from '../src/records/location.js';
import {
  SCIENTIFIC_NOTATION,
  isScientificNotation,
  rewriteScientific,
  rewriteScientificBytes,
} from '../src/records/scientific.js';

/**
 * What Go itself does, recorded by fixtures/records/go-oracle (generate.sh): what the reference
 * server's calls (fmt.Sscanf, strconv.ParseFloat with bitSize 32, fmt.Sprintf("%.5f")) make of
 * hand-picked and seeded random strings, and whether Go's protobuf decoder accepts generated
 * and damaged payloads of every record type.
 */
interface GoFixture {
  location: { input: string; parsed: boolean; latitude?: string; longitude?: string }[];
  scientific: { input: string; matches: boolean; output: string | null }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/records/go-string-transforms.json', import.meta.url), 'utf8'),
) as GoFixture;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** A float64 from the hex of its bit pattern. */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** Same float64, where any NaN equals any NaN (Go's NaN has other payload bits). */
function sameFloat(actual: number, expected: number): boolean {
  return Number.isNaN(expected) ? Number.isNaN(actual) : Object.is(actual, expected);
}

describe('location strings, as Go parses them', () => {
  it('has a corpus that exercises both outcomes', () => {
    expect(fixture.location.filter((c) => c.parsed).length).toBeGreaterThan(200);
    expect(fixture.location.filter((c) => !c.parsed).length).toBeGreaterThan(1000);
  });

  it.each([
    ['parseLocation', (text: string) => parseLocation(text)],
    ['parseLocationBytes', (text: string) => parseLocationBytes(utf8(text), 0, utf8(text).length)],
  ] as const)('%s gives the same result on every case', (_, parse) => {
    const mismatches = fixture.location.filter((c) => {
      const parsed = parse(c.input);
      if (parsed === undefined || !c.parsed) return (parsed !== undefined) !== c.parsed;
      return !sameFloat(parsed.latitude, fromBits(c.latitude!)) || !sameFloat(parsed.longitude, fromBits(c.longitude!));
    });
    expect(mismatches).toEqual([]);
  });
});

describe('scientific-notation strings, as Go rewrites them', () => {
  it('has a corpus that exercises every outcome', () => {
    expect(fixture.scientific.filter((c) => c.output !== null).length).toBeGreaterThan(800);
    expect(fixture.scientific.filter((c) => c.matches && c.output === null).length).toBeGreaterThan(3);
    expect(fixture.scientific.filter((c) => !c.matches).length).toBeGreaterThan(3);
  });

  it('matches the same strings as the pattern, on text and on bytes', () => {
    const mismatches = fixture.scientific.filter((c) => {
      const bytes = utf8(c.input);
      return SCIENTIFIC_NOTATION.test(c.input) !== c.matches || isScientificNotation(bytes, 0, bytes.length) !== c.matches;
    });
    expect(mismatches).toEqual([]);
  });

  it.each([
    ['rewriteScientific', (text: string) => rewriteScientific(text)],
    ['rewriteScientificBytes', (text: string) => rewriteScientificBytes(utf8(text), 0, utf8(text).length)],
  ] as const)('%s prints what Go prints', (_, rewrite) => {
    const mismatches = fixture.scientific
      .filter((c) => c.matches)
      .map((c) => ({ input: c.input, expected: c.output, actual: rewrite(c.input) ?? null }))
      .filter((c) => c.actual !== c.expected);
    expect(mismatches).toEqual([]);
  });
});

interface WireVerdict {
  recordType: string;
  payload: string;
  accepted: boolean;
  keptMistypedField?: boolean;
}

const wireVerdicts = JSON.parse(
  readFileSync(new URL('./fixtures/records/go-wire-verdicts.json', import.meta.url), 'utf8'),
) as WireVerdict[];

describe('payloads, as Go decodes them', () => {
  it('has a corpus that exercises both outcomes for every record type', () => {
    for (const recordType of ['V', 'alerts', 'errors', 'connectivity']) {
      const cases = wireVerdicts.filter((c) => c.recordType === recordType);
      expect(cases.filter((c) => c.accepted).length).toBeGreaterThan(50);
      expect(cases.filter((c) => !c.accepted).length).toBeGreaterThan(100);
    }
  });

  it('accepts what Go accepts and rejects what Go rejects', () => {
    const disagreements = wireVerdicts
      .map((c) => {
        let error: unknown;
        try {
          transformPayload(c.recordType, Buffer.from(c.payload, 'base64'), '5YJ3E1EA7KF317000');
        } catch (caught) {
          error = caught;
        }
        return { ...c, transformAccepted: error === undefined, error };
      })
      // Deliberately stricter: a declared field with an impossible wire type is rejected,
      // where Go keeps it as an unknown field.
      .filter((c) => c.transformAccepted !== (c.accepted && c.keptMistypedField !== true));
    expect(disagreements).toEqual([]);
  });

  it('rejects only with PayloadDecodeError', () => {
    for (const c of wireVerdicts.filter((verdict) => !verdict.accepted)) {
      expect(() => transformPayload(c.recordType, Buffer.from(c.payload, 'base64'), 'V')).toThrow(PayloadDecodeError);
    }
  });
});
