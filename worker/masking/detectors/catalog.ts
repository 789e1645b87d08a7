// The built-in detectors: PII (after Presidio's entity list) and secrets
// (after gitleaks' rules), written for this gateway.
//
// Every pattern is bounded (no `*`, `+`, `{n,}`) so the streaming scanner
// knows how far ahead a match can reach; regex-bounds.ts checks that when the
// catalog is compiled. Patterns carry their own word-boundary lookarounds so
// that a match never starts or ends inside a longer token: that is what keeps
// trace ids, span ids, hashes, UUIDs and base64 blobs from being read as phone
// or card numbers. Where a checksum or number plan exists, `accept` checks it.
// The catalog order is the priority when two detectors match the same text.
import {
  acceptBasic,
  acceptBearer,
  acceptCard,
  acceptEmail,
  acceptIpv6,
  acceptJwt,
  acceptPhone,
  acceptSsn,
  type Acceptor,
} from './checks.ts';
import { acceptIban } from './iban.ts';
import type { TextNeeds } from './text-probe.ts';

export interface DetectorSpec {
  /** Entity type: the placeholder label and the key in counts. */
  entity: string;
  /** Regular expression source; a named group `secret` narrows what is masked. */
  source: string;
  flags?: string;
  /**
   * A cheap necessary condition, as a regex source: a text without a match
   * cannot hold this entity. All triggers form one gate regex, so a string
   * with none of them costs one native search for all these detectors.
   */
  trigger?: string;
  /** Or a necessary condition on character counts (see text-probe.ts). */
  needs?: TextNeeds;
  /**
   * Every match contains an occurrence of `anchor.source` (a regex) that
   * starts at most `maxOffset` characters after the match start. The search
   * then jumps between anchor occurrences, found natively, instead of trying
   * the pattern at every position: 20x faster for patterns without a literal
   * prefix. Must hold for every possible match (tests check it).
   */
  anchor?: { source: string; maxOffset: number };
  accept?: Acceptor;
  /** Canonical form fed to the keyed hash, so formatting does not change the token. */
  normalize?: (value: string) => string;
  /** Also applied to JSON numbers (a card number stored as a number). */
  numeric?: boolean;
}

const r = String.raw;
const digitsOnly = (value: string) => value.replace(/\D/g, '');

export const BUILT_IN_DETECTORS: readonly DetectorSpec[] = [
  {
    entity: 'PRIVATE_KEY',
    // A complete PEM/OpenSSH/PGP block, or a truncated one (header and key material).
    source: r`-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{1,12000}?-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=\s:,-]|\\[rn]){16,12000})`,
    trigger: 'PRIVATE KEY',
  },
  {
    entity: 'JWT',
    source: r`(?<![\w-])eyJ[\w-]{5,4096}\.eyJ[\w-]{2,8192}\.[\w-]{0,2048}(?![\w-])`,
    trigger: 'eyJ',
    accept: acceptJwt,
  },
  {
    entity: 'BEARER_TOKEN',
    source: r`(?<![\w-])(?:[Bb]earer|BEARER)[ \t]{1,4}(?<secret>[\w.~+/-]{8,4096}={0,2})(?![\w.~+/=-])`,
    trigger: '[Bb][Ee][Aa][Rr][Ee][Rr]',
    accept: acceptBearer,
  },
  {
    entity: 'BASIC_AUTH',
    source: r`(?<![\w-])(?:[Bb]asic|BASIC)[ \t]{1,4}(?<secret>[A-Za-z0-9+/]{4,2048}={0,2})(?![\w+/=-])`,
    trigger: '[Bb][Aa][Ss][Ii][Cc]',
    accept: acceptBasic,
  },
  {
    entity: 'URL_CREDENTIALS',
    source: r`(?<![\w+.-])[A-Za-z][\w+.-]{0,30}://(?<secret>[^\s:/?#@"'<>\\]{1,256}:[^\s/?#@"'<>\\]{1,256})@`,
    trigger: r`://[^\s/?#@]{1,513}@`,
    anchor: { source: '://', maxOffset: 31 },
  },
  {
    entity: 'AWS_ACCESS_KEY',
    source: r`(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])`,
    trigger: 'A(?:KIA|SIA|BIA|CCA|3T)',
  },
  {
    entity: 'AWS_SECRET_KEY',
    source: r`(?<![A-Za-z0-9])aws[_.-]?secret[_.-]?(?:access[_.-]?)?key["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    flags: 'i',
    trigger: '[Ss][Ee][Cc][Rr][Ee][Tt]',
  },
  {
    entity: 'GITHUB_TOKEN',
    source: r`(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_\w{22,255})(?!\w)`,
    trigger: 'gh[pousr]_|github_pat_',
  },
  {
    entity: 'ANTHROPIC_KEY',
    source: r`(?<![\w-])sk-ant-[a-z]{2,8}\d{2}-[\w-]{32,250}(?![\w-])`,
    trigger: 'sk-ant-',
  },
  {
    entity: 'OPENAI_KEY',
    source: r`(?<![\w-])sk-(?:(?:proj|svcacct|admin)-[\w-]{20,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![\w-])`,
    trigger: 'sk-',
  },
  {
    entity: 'SLACK_TOKEN',
    source: r`(?<![\w-])(?:xox[abeposr](?:\.xox[bp])?-[A-Za-z0-9-]{10,250}|xapp-\d-[A-Za-z0-9-]{10,250}|https://hooks\.slack\.com/(?:services|workflows|triggers)/[\w+/-]{20,200})(?![\w-])`,
    trigger: r`xox|xapp-|hooks\.slack\.com`,
  },
  {
    entity: 'GOOGLE_API_KEY',
    source: r`(?<![\w-])AIza[\w-]{35}(?![\w-])`,
    trigger: 'AIza',
  },
  {
    entity: 'STRIPE_KEY',
    source: r`(?<!\w)(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}(?!\w)`,
    trigger: '[sr]k_(?:live|test)_',
  },
  {
    entity: 'EMAIL',
    source: r`(?<![\w.%+-])[A-Za-z0-9][\w.%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])`,
    trigger: '@',
    anchor: { source: '@', maxOffset: 64 },
    accept: acceptEmail,
    normalize: (value) => value.toLowerCase(),
  },
  {
    entity: 'CREDIT_CARD',
    source: r`(?<![\w.+-])(?:\d[ -]?){12,18}\d(?![\w-]|\.\d)`,
    needs: { digitRun: 13 },
    accept: acceptCard,
    normalize: digitsOnly,
    numeric: true,
  },
  {
    entity: 'IBAN',
    source: r`(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![A-Za-z0-9])`,
    trigger: r`[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11}`,
    accept: acceptIban,
    normalize: (value) => value.replace(/ /g, ''),
  },
  {
    entity: 'US_SSN',
    source: r`(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-]|\.\d)`,
    needs: { digitRun: 9 },
    accept: acceptSsn,
    normalize: digitsOnly,
  },
  {
    entity: 'PHONE',
    // International numbers with a + country code, and NANP numbers written with
    // parentheses, dashes or dots. Bare digit runs and national numbers without a
    // country code are left alone: without a region they are ids, dates and account
    // fragments far more often than phones (use a custom detector for a known region).
    source: r`(?<![\w+.-])(?:\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-]|[.,]\d)`,
    needs: { digitRun: 7 },
    accept: acceptPhone,
    normalize: (value) => (value.startsWith('+') ? '+' : '') + digitsOnly(value),
  },
  {
    entity: 'IPV4',
    source: r`(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w-]|\.\d)`,
    needs: { digits: 4, dots: 3 },
  },
  {
    entity: 'IPV6',
    source: r`(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)`,
    needs: { colons: 2 },
    anchor: { source: ':[0-9A-Fa-f]{0,4}:', maxOffset: 4 },
    accept: acceptIpv6,
  },
];

export const BUILT_IN_ENTITIES = BUILT_IN_DETECTORS.map((d) => d.entity);
