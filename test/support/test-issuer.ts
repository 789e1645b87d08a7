// A test OIDC issuer: real keys generated at test time, tokens signed with
// them, and a JWKS fetch that serves only the issuer's own JWKS URL and fails
// the test on any other request.
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload, type CryptoKey } from 'jose';

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  kid: string;
  privateKey: CryptoKey;
  jwksFetch: typeof fetch;
  jwksRequests: () => number;
  sign(
    claims: JWTPayload,
    options?: { expiresIn?: string | number; audience?: string },
  ): Promise<string>;
}

export async function createTestIssuer(
  // Unique per call: the JWKS cache is per isolate, keyed by issuer and URL.
  issuer = `https://idp-${crypto.randomUUID().slice(0, 8)}.test`,
): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `k-${crypto.randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwksUri = `${issuer}/jwks`;
  let requests = 0;
  const jwksFetch = (async (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== jwksUri) throw new Error(`unexpected JWKS request to ${url}`);
    requests++;
    return Response.json({ keys: [jwk] });
  }) as typeof fetch;
  return {
    issuer,
    jwksUri,
    kid,
    privateKey,
    jwksFetch,
    jwksRequests: () => requests,
    async sign(claims, options = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(options.audience ?? 'tracegate')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    },
  };
}
