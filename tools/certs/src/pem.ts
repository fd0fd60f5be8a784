const certificateBlock = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every certificate block of a PEM bundle, in order. */
export function pemCertificates(pem: string): string[] {
  return pem.match(certificateBlock) ?? [];
}

/** The first certificate of a PEM bundle (the leaf of a chain file). */
export function firstPemCertificate(pem: string): string {
  const [first] = pemCertificates(pem);
  if (first === undefined) throw new TypeError('no PEM certificate found');
  return first;
}

export function joinPem(...blocks: readonly string[]): string {
  return blocks.map((block) => block.trim() + '\n').join('');
}
