// Validators for detector candidates: checksums (Luhn, IBAN mod 97), number
// plans (US SSN areas, NANP, E.164 length, card IINs), and structure checks
// (IPv6 groups, a JWT header that decodes to JSON, a Basic credential that
// decodes to "user:password"). Each returns the accepted length of the
// candidate (0 = rejected) so that a validator can trim a greedy match, as
// the IBAN one does when text follows a spaced IBAN.
//
// Pure functions, no allocation beyond small strings: they run on every
// candidate and must stay cheap.

export type Acceptor = (candidate: string) => number;

const all = (candidate: string, ok: boolean): number => (ok ? candidate.length : 0);

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefix and length plausibility (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir). */
export function cardNetworkPlausible(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 16 || n === 19;
  if (p2 >= 51 && p2 <= 55) return n === 16;
  if (p4 >= 2221 && p4 <= 2720) return n === 16;
  if (p4 >= 2200 && p4 <= 2204) return n >= 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16;
  if (p2 === 62) return n >= 16;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16;
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) return n >= 14;
  if (p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 63 || p2 === 67) return n >= 16;
  return false;
}

/** Digits only, or groups of four (last group shorter), or Amex/Diners 4-6-5 / 4-6-4, one separator kind. */
function cardGroupingValid(candidate: string): boolean {
  const groups = candidate.split(/[ -]/);
  if (groups.length === 1) return true;
  if (candidate.includes(' ') && candidate.includes('-')) return false;
  const lengths = groups.map((g) => g.length);
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6) {
    return lengths[2] === 5 || lengths[2] === 4;
  }
  return lengths.every((len, i) => (i === lengths.length - 1 ? len >= 1 && len <= 4 : len === 4));
}

function cardValid(candidate: string): boolean {
  const digits = digitsOf(candidate);
  return (
    digits.length >= 13 &&
    digits.length <= 19 &&
    cardGroupingValid(candidate) &&
    !/^(\d)\1+$/.test(digits) &&
    cardNetworkPlausible(digits) &&
    luhnValid(digits)
  );
}

/** The longest prefix, cut at a separator, that is a valid card number ("4111 1111 1111 1111 5" → 16 digits). */
export const acceptCard: Acceptor = (candidate) => {
  let end = candidate.length;
  while (end > 0) {
    const prefix = candidate.slice(0, end);
    if (cardValid(prefix)) return end;
    end = Math.max(prefix.lastIndexOf(' '), prefix.lastIndexOf('-'));
  }
  return 0;
};

export const acceptSsn: Acceptor = (candidate) => {
  const sep = candidate[3];
  if (candidate[6] !== sep) return 0;
  const area = Number(candidate.slice(0, 3));
  const group = candidate.slice(4, 6);
  const serial = candidate.slice(7, 11);
  return all(
    candidate,
    area !== 0 && area !== 666 && area < 900 && group !== '00' && serial !== '0000',
  );
};

function phoneValid(candidate: string): boolean {
  const digits = digitsOf(candidate);
  if (candidate.startsWith('+')) {
    // NANP (+1) numbers have exactly 11 digits; E.164 allows up to 15 overall.
    return digits.startsWith('1')
      ? digits.length === 11
      : digits.length >= 8 && digits.length <= 15;
  }
  // NANP: area code and exchange start with 2-9; one separator kind between groups.
  const separators = candidate.replace(/[\d()]/g, '');
  const consistent = candidate.startsWith('(') || new Set(separators).size <= 1;
  return (
    digits.length === 10 &&
    consistent &&
    !'01'.includes(digits[0] ?? '0') &&
    !'01'.includes(digits[3] ?? '0')
  );
}

/** The longest prefix, cut at a separator, that is a plausible number ("+1 415 555 0142 77" → "+1 415 555 0142"). */
export const acceptPhone: Acceptor = (candidate) => {
  let end = candidate.length;
  while (end > 0) {
    const prefix = candidate.slice(0, end);
    if (phoneValid(prefix)) return end;
    end = Math.max(prefix.lastIndexOf(' '), prefix.lastIndexOf('-'), prefix.lastIndexOf('.'));
  }
  return 0;
};

/** RFC 4291 text forms, with at least three non-empty groups (so `a::b` and `[::2]` stay text). */
export const acceptIpv6: Acceptor = (candidate) => {
  let text = candidate;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4 !== null && v4[1] !== undefined) {
    if (!v4[1].split('.').every((octet) => Number(octet) <= 255)) return 0;
    text = `${text.slice(0, text.length - v4[1].length)}1:1`; // the IPv4 tail stands for two groups
  }
  const halves = text.split('::');
  if (halves.length > 2) return 0;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return 0;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return 0;
  const nonZero = groups.filter((g) => !/^0{1,4}$/.test(g)).length;
  return all(candidate, groups.length >= 3 && nonZero >= 2);
};

function base64UrlDecode(segment: string): string | null {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    return atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  } catch {
    return null;
  }
}

export const acceptJwt: Acceptor = (candidate) => {
  const header = base64UrlDecode(candidate.slice(0, candidate.indexOf('.')));
  if (header === null) return 0;
  try {
    const parsed: unknown = JSON.parse(header);
    return all(candidate, typeof parsed === 'object' && parsed !== null && 'alg' in parsed);
  } catch {
    return 0;
  }
};

/** A Basic credential decodes to printable "user:password". */
export const acceptBasic: Acceptor = (candidate) => {
  try {
    const decoded = atob(candidate);
    return all(
      candidate,
      decoded.length >= 3 && decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded),
    );
  } catch {
    return 0;
  }
};

/** A bearer token looks like one: digits or token punctuation, or long. Keeps "Bearer authentication" prose. */
export const acceptBearer: Acceptor = (candidate) =>
  all(candidate, candidate.length >= 20 || /[\d._~+/=-]/.test(candidate));

const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'ico',
  'css',
  'js',
  'mjs',
  'map',
  'json',
]);

/** Rejects `icon@2x.png`-style file names. */
export const acceptEmail: Acceptor = (candidate) => {
  const tld = candidate.slice(candidate.lastIndexOf('.') + 1).toLowerCase();
  return all(candidate, !FILE_EXTENSIONS.has(tld));
};
