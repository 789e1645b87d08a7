// Helpers for the masking tests: run a session over given chunks, build
// profiles, and make secret-shaped test values at run time (never as
// literals, so secret scanners on the repository stay quiet and no test
// depends on a hard-coded credential).
import { createMasker, hmacKeyFromSecret, type MaskingSession } from './index.ts';
import {
  maskingProfileSchema,
  type MaskingProfile,
  type MaskingProfileInput,
} from './profile-schema.ts';

export function profileOf(input: MaskingProfileInput = {}): MaskingProfile {
  return maskingProfileSchema.parse(input);
}

export const testKey = (): Promise<CryptoKey> =>
  hmacKeyFromSecret('tracegate-test-secret-0123456789');

export interface MaskRun {
  output: string;
  counts: Record<string, number>;
  error: unknown;
}

const encoder = new TextEncoder();

/** Cuts bytes at the given offsets (any order, duplicates and out-of-range ignored). */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

export async function runSession(
  session: MaskingSession,
  chunks: readonly Uint8Array[],
): Promise<MaskRun> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const reader = source.pipeThrough(session).getReader();
  const received: Uint8Array[] = [];
  let error: unknown = null;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) break;
      received.push(result.value);
    }
  } catch (caught) {
    error = caught;
  }
  const total = received.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of received) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return { output: new TextDecoder().decode(joined), counts: session.counts(), error };
}

export async function maskText(
  profile: MaskingProfile,
  contentType: string,
  input: string | Uint8Array,
  options: { cuts?: readonly number[]; hmacKey?: CryptoKey | null; shortcuts?: boolean } = {},
): Promise<MaskRun> {
  const session = createMasker(profile, contentType, {
    hmacKey: options.hmacKey ?? (await testKey()),
    shortcuts: options.shortcuts ?? true,
  });
  if (session === null || 'refuse' in session)
    throw new Error(`no masking session for ${contentType}`);
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return runSession(session, cutAt(bytes, options.cuts ?? []));
}

/** Secret-shaped values, assembled at run time. */
export const fake = {
  awsAccessKey: () => ['AKIA', 'Q3EGRNXN', 'ZBVTPA5L'].join(''),
  awsSecret: () => ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/'),
  githubToken: () => ['gh', 'p_', 'Xb7cQ2mN9vR4tL8wK3pZ6yH1jF5dS0aE2uI7'].join(''),
  githubPat: () => ['github', '_pat_', '11ABCDEFG0', 'x'.repeat(12), '_', 'Y'.repeat(59)].join(''),
  openAiKey: () =>
    [
      'sk-',
      'proj-',
      'Tq3vX8mN2bR7kL4wP9zH6yJ1fD5sA0eG',
      'T3Blbk',
      'FJ',
      'aB3dE6gH9jK2mN5pQ8sT1vW4',
    ].join(''),
  anthropicKey: () =>
    ['sk-', 'ant-', 'api03-', 'R4nD0mK3yM4t3r14lF0rT3st1ngOnly', '-', 'q'.repeat(60), 'AA'].join(
      '',
    ),
  slackToken: () =>
    ['xo', 'xb-', '2468013579', '-', '1357924680', '-', 'AbCdEfGhIjKlMnOpQrStUvWx'].join(''),
  slackWebhook: () =>
    [
      'https://hooks.',
      'slack.com/services/',
      'T0000ABCD/B0000EFGH/',
      'XyZ123aBc456DeF789gHi012',
    ].join(''),
  googleKey: () => ['AI', 'za', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'].join(''),
  stripeKey: () => ['sk', '_live_', '51HxQk2', 'Lz8vW3pR6tY9uI1oP4aS7dF'].join(''),
  bearer: () => ['Bearer ', 'tk_', '9f8e7d6c5b4a3928171615141312'].join(''),
  basic: () => `Basic ${btoa(['svc-reader', 'hunter2-but-longer'].join(':'))}`,
  urlWithPassword: () =>
    ['postgres://', 'app_user:', 'S3cr3t-Pa55', '@db.internal:5432/traces'].join(''),
  email: () => ['jane.doe', '@', 'example.org'].join(''),
  phone: () => '+1 415 555 0142',
  card: () => ['4111', '1111', '1111', '1111'].join(' '),
  iban: () => ['DE89', '3704', '0044', '0532', '0130', '00'].join(' '),
  ssn: () => ['536', '22', '4871'].join('-'),
  ipv4: () => '203.0.113.42',
  ipv6: () => '2001:db8:85a3::8a2e:370:7334',
};

function base64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** One fresh fake value of every built-in value detector's kind (tokens with a prefix excluded). */
export function fakeDetectorValues(): string[] {
  return [
    fake.email(),
    fake.phone(),
    fake.card(),
    fake.iban(),
    fake.ssn(),
    fake.ipv4(),
    fake.ipv6(),
    fake.awsAccessKey(),
    fake.githubToken(),
    fake.openAiKey(),
    fake.anthropicKey(),
    fake.slackToken(),
    fake.googleKey(),
    fake.stripeKey(),
  ];
}

/** A JWT signed with a fresh HMAC key. */
export async function makeJwt(
  claims: Record<string, unknown> = { sub: 'user-42', email: 'x' },
): Promise<string> {
  const head = base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64Url(JSON.stringify(claims));
  const key = await crypto.subtle.importKey(
    'raw',
    crypto.getRandomValues(new Uint8Array(32)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, encoder.encode(`${head}.${body}`)),
  );
  return `${head}.${body}.${base64Url(String.fromCharCode(...mac))}`;
}

/** A freshly generated PKCS#8 PEM private key. */
export async function makePemKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const der = new Uint8Array(
    (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer,
  );
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  const label = ['PRIVATE', 'KEY'].join(' ');
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n');
}
