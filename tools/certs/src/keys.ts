import { createPrivateKey, KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import { subtle } from './x509.js';

/** Key types the PKI can issue. ECDSA P-256 is the fast default; some Tesla CAs are RSA. */
export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

export const defaultKeyAlgorithm: KeyAlgorithm = 'ecdsa-p256';

export const keyAlgorithms: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'];

interface WebCryptoParams {
  readonly generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
  readonly import: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  readonly sign: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

const rsaSha256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

const webCryptoParams: Record<KeyAlgorithm, WebCryptoParams> = {
  'ecdsa-p256': {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    import: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
  'ecdsa-p384': {
    generate: { name: 'ECDSA', namedCurve: 'P-384' },
    import: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', hash: 'SHA-384' },
  },
  'rsa-2048': {
    generate: { ...rsaSha256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    import: rsaSha256,
    sign: rsaSha256,
  },
};

export function assertKeyAlgorithm(algorithm: string): asserts algorithm is KeyAlgorithm {
  if (!(keyAlgorithms as readonly string[]).includes(algorithm)) {
    throw new TypeError(`unsupported key algorithm "${algorithm}" (expected one of ${keyAlgorithms.join(', ')})`);
  }
}

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  assertKeyAlgorithm(algorithm);
  // Extractable so the private key can be written out as PKCS#8.
  return (await subtle.generateKey(webCryptoParams[algorithm].generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

export function privateKeyToPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** A CA's private key, ready to sign, with the signature algorithm its key type implies. */
export interface SigningKey {
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: KeyAlgorithm;
  readonly signatureAlgorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

const curveAlgorithms: Record<string, KeyAlgorithm> = {
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
};

/** Reads the key type of a PEM private key (any format node:crypto understands). */
export function keyAlgorithmOf(pem: string): KeyAlgorithm {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'rsa') return 'rsa-2048';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const algorithm = key.asymmetricKeyType === 'ec' && curve ? curveAlgorithms[curve] : undefined;
  if (!algorithm) {
    throw new TypeError(`unsupported private key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`);
  }
  return algorithm;
}

export async function importSigningKey(pem: string): Promise<SigningKey> {
  const algorithm = keyAlgorithmOf(pem);
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  const params = webCryptoParams[algorithm];
  const key = await subtle.importKey('pkcs8', der, params.import, false, ['sign']);
  return { key, algorithm, signatureAlgorithm: params.sign };
}

export function signatureAlgorithmFor(algorithm: KeyAlgorithm): webcrypto.EcdsaParams | webcrypto.Algorithm {
  return webCryptoParams[algorithm].sign;
}

/** A positive, non-zero 128-bit serial number in hex (RFC 5280 allows up to 20 octets). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
