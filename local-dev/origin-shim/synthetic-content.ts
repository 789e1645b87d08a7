// Deterministic synthetic content for generated traces: a seeded PRNG,
// agent-style reasoning text, and realistic-looking PII and secrets to plant
// (all fake: example.* mail domains, fictional 555-01xx / Ofcom drama phone
// ranges, Luhn-valid numbers on public test-card prefixes, AWS-style access
// key ids, GitHub-style tokens with a valid CRC32 checksum).
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  hex(chars: number): string;
}

/** sfc32 seeded from SHA-256 of the seed string: same seed, same bytes. */
export function seededRng(seed: string): Rng {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    hex: (chars: number): string => {
      let out = '';
      while (out.length < chars) out += (int(0x10000) + 0x10000).toString(16).slice(1);
      return out.slice(0, chars);
    },
  };
}

const openers = [
  'Let me think about this step by step.',
  'First, I need to check what the user actually asked for.',
  'The tool result changes the picture somewhat.',
  'I should double-check the previous calculation before answering.',
  'There are two plausible readings of the request.',
  'The retrieved documents disagree on one point.',
];
const clauses = [
  'the forecast API returned a partial response',
  'the customer account was migrated last quarter',
  'the refund policy allows thirty days from delivery',
  'the invoice total does not match the line items',
  'the deployment failed during the database migration',
  'the user prefers a short answer without tables',
  'the previous tool call timed out after ten seconds',
  'the order history shows three shipments to the same address',
  'the error message mentions an expired credential',
  'the search results are mostly from last year',
];
const connectors = ['so', 'but', 'which means', 'and therefore', 'although', 'because'];
const actions = [
  'I will call the lookup tool again with a narrower query.',
  'I can answer directly without another tool call.',
  'I should ask for confirmation before changing anything.',
  'I will summarise the relevant records for the user.',
  'I need to escalate this to a human reviewer.',
];
const firstNames = [
  'jane',
  'omar',
  'li',
  'maria',
  'kwame',
  'ingrid',
  'raj',
  'sofia',
  'tomasz',
  'aiko',
];
const lastNames = [
  'roe',
  'haddad',
  'chen',
  'garcia',
  'mensah',
  'larsen',
  'patel',
  'rossi',
  'nowak',
  'sato',
];
const mailDomains = ['example.com', 'example.org', 'example.net', 'mail.example.com'];

/** One paragraph of agent reasoning, around `sentences` sentences long. */
export function reasoningParagraph(rng: Rng, sentences: number): string {
  const parts = [rng.pick(openers)];
  for (let i = 1; i < sentences; i++) {
    parts.push(
      i % 3 === 2
        ? rng.pick(actions)
        : `It looks like ${rng.pick(clauses)}, ${rng.pick(connectors)} ${rng.pick(clauses)}.`,
    );
  }
  return parts.join(' ');
}

export function fakeEmail(rng: Rng): string {
  const separator = rng.pick(['.', '_', '']);
  return `${rng.pick(firstNames)}${separator}${rng.pick(lastNames)}${rng.int(100)}@${rng.pick(mailDomains)}`;
}

export function fakePhone(rng: Rng): string {
  const line = String(rng.int(100)).padStart(2, '0');
  return rng.next() < 0.6
    ? `+1 ${rng.pick(['202', '415', '312', '646'])}-555-01${line}`
    : `+44 20 7946 0${String(rng.int(1000)).padStart(3, '0')}`;
}

/** A Luhn-valid card number on a test-card prefix, grouped like people type it. */
export function fakeCardNumber(rng: Rng): string {
  const [prefix, length] = rng.pick([
    ['4', 16],
    ['51', 16],
    ['55', 16],
    ['37', 15],
  ] as const);
  let digits = prefix;
  while (digits.length < length - 1) digits += String(rng.int(10));
  digits += luhnCheckDigit(digits);
  return length === 15
    ? `${digits.slice(0, 4)} ${digits.slice(4, 10)} ${digits.slice(10)}`
    : (digits.match(/.{4}/g) ?? [digits]).join(' ');
}

export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export function fakeAwsAccessKeyId(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let key = 'AKIA';
  while (key.length < 20) key += alphabet[rng.int(alphabet.length)] ?? 'A';
  return key;
}

/** `ghp_` + 30 base62 chars + the base62 CRC32 of those 30 chars (6 chars), as GitHub does. */
export function fakeGitHubToken(rng: Rng): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let entropy = '';
  while (entropy.length < 30) entropy += alphabet[rng.int(62)] ?? '0';
  let checksum = crc32(entropy);
  let encoded = '';
  for (let i = 0; i < 6; i++) {
    encoded = (alphabet[checksum % 62] ?? '0') + encoded;
    checksum = Math.floor(checksum / 62);
  }
  return `ghp_${entropy}${encoded}`;
}

/** A sentence that carries one planted secret or piece of PII. */
export function piiSentence(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return `The customer wrote from ${fakeEmail(rng)} and asked us to call back.`;
    case 1:
      return `Their phone number on file is ${fakePhone(rng)}.`;
    case 2:
      return `They paid with card ${fakeCardNumber(rng)}, expiry 0${1 + rng.int(9)}/2${7 + rng.int(3)}.`;
    case 3:
      return `The deploy log shows aws_access_key_id=${fakeAwsAccessKeyId(rng)} in the environment dump.`;
    case 4:
      return `The CI config still has GITHUB_TOKEN=${fakeGitHubToken(rng)} hard-coded.`;
    default:
      return `Contact ${fakeEmail(rng)} or ${fakePhone(rng)} about the disputed charge.`;
  }
}
