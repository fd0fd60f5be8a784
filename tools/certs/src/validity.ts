const dayMs = 24 * 60 * 60 * 1000;

// Backdated so a certificate is already valid on a peer whose clock runs slightly behind.
const clockSkewMs = 60 * 60 * 1000;

export interface ValidityOptions {
  /** Days from `notBefore` to `notAfter`. */
  readonly validDays?: number;
  /** Overrides the start of validity (default: an hour ago). */
  readonly notBefore?: Date;
  /** Overrides the end of validity, e.g. a past date to produce an expired certificate. */
  readonly notAfter?: Date;
}

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export function resolveValidity(options: ValidityOptions, defaultDays: number, now = Date.now()): Validity {
  const { validDays = defaultDays } = options;
  if (!Number.isFinite(validDays) || validDays <= 0) {
    throw new RangeError(`validDays must be a positive finite number, got ${validDays}`);
  }
  for (const [name, date] of [['notBefore', options.notBefore], ['notAfter', options.notAfter]] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid date`);
  }
  const notBefore = options.notBefore ?? new Date(now - clockSkewMs);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + validDays * dayMs);
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new RangeError(`notAfter (${notAfter.toISOString()}) must be later than notBefore (${notBefore.toISOString()})`);
  }
  return { notBefore, notAfter };
}
