// The IdP's RS256 signing key, as a private JWK with a kid (its RFC 7638
// thumbprint). Persisted under .tracegate-local/ by default so a restarted IdP
// keeps its key and tokens already handed out stay valid; ephemeral on request.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export async function loadOrCreateSigningKey(keyFile: string | null): Promise<JWK> {
  if (keyFile !== null) {
    const stored = readStoredKey(keyFile);
    if (stored !== undefined) return stored;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk: JWK = privateKey.export({ format: 'jwk' });
  const key: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
  if (keyFile !== null) {
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${JSON.stringify(key)}\n`, { mode: 0o600 });
  }
  return key;
}

function readStoredKey(keyFile: string): JWK | undefined {
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch {
    return undefined;
  }
  const parsed: unknown = JSON.parse(text);
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    !('kty' in parsed) ||
    parsed.kty !== 'RSA' ||
    !('d' in parsed) ||
    !('kid' in parsed)
  ) {
    throw new TypeError(
      `${keyFile} is not an RSA private JWK with a kid; delete it to generate a new key`,
    );
  }
  return parsed as JWK;
}
