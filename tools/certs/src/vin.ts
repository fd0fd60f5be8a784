// ISO 3779 / FMVSS 115 check digit: letters transliterate to numbers, each position has a weight.
const transliteration: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const vinPattern = /^[A-HJ-NPR-Z0-9]{17}$/;

function characterValue(character: string): number {
  const digit = Number.parseInt(character, 10);
  return Number.isNaN(digit) ? (transliteration[character] ?? 0) : digit;
}

export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let position = 0; position < 17; position += 1) {
    sum += characterValue(vin[position] ?? '0') * (weights[position] ?? 0);
  }
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** True for a well-formed 17-character VIN whose check digit (position 9) is right. */
export function isValidVin(vin: string): boolean {
  return vinPattern.test(vin) && vin[8] === vinCheckDigit(vin);
}

// A Model 3 descriptor (5YJ3E1EA), model year 2023 (P), Fremont (F); the serial is the index.
const devVinPrefix = '5YJ3E1EA';
const devVinYearAndPlant = 'PF';
const maxSerial = 999_999;

/**
 * The deterministic development VIN number `index` (1-based): `5YJ3E1EA?PF000001` with a valid
 * check digit in place of `?`.
 */
export function devVin(index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > maxSerial) {
    throw new RangeError(`a development VIN index must be an integer in 1..${maxSerial}, got ${index}`);
  }
  const draft = `${devVinPrefix}0${devVinYearAndPlant}${String(index).padStart(6, '0')}`;
  return draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
}
