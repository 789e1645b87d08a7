// Detector behaviour, one block per entity: samples that must be found (and
// exactly which part is masked) and look-alikes that must stay, with the
// false positives a trace is full of: ids, hashes, UUIDs, timestamps,
// versions, base64 blobs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DETECTORS } from './detectors/catalog.ts';
import { compileDetector } from './detectors/compile.ts';
import { DetectorSet } from './scan-text.ts';
import { fake, makeJwt, makePemKey } from './test-support.ts';

const all = new DetectorSet(BUILT_IN_DETECTORS.map(compileDetector));

function findings(text: string, set = all): [string, string][] {
  const found: [string, string][] = [];
  set.scan(text, 0, true, (detector, a, b) => found.push([detector.entity, text.slice(a, b)]));
  return found;
}

/** Look-alikes seen in real traces; none of them is PII or a secret. */
const traceNoise = [
  '2c1581dd9cecdafb6ca091b83d7ea99a', // Langfuse trace id
  '0856a1825ccee968', // observation id
  '5B8EFFF798038103D269B633813FC60C', // OTLP trace id (uppercase hex)
  'EEE19B7EC3C1B174',
  '04B49C49-15E0-55D5-9040-4D6FF6E415E6', // host.id
  '44fe5ba2-2f09-4ec2-9385-33e26c43f469',
  '2025-10-30T08:45:41.168Z',
  'Sat, 18 Apr 2026 03:01:28 GMT',
  '1544712660000000000', // nanosecond timestamp
  '1776481282',
  '1730277941168',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // sha256
  'da39a3ee5e6b4b0d3255bfef95601890afd80709', // sha1
  'chatcmpl-CWIZpV1k7an0crpr6hsnDXp1j2wdo',
  'call_VEZJgIQLgzcb80IIyQJm7JCi',
  'resp_05177a4994c7df3a0069e2f402f00881a1b9eda520cb779fef',
  'msg_01Rg6AMdcuaQkn3YPvgQvffV',
  'proj_s74VWObPgWXRchv2sHdrOTPY',
  'req_90fa6757a10e48759f2910517aab4df4',
  '9ee06cb22da0266b-EWR',
  'model_request:3d72c0f6-1849-5286-bc3f-b198da3bc9cb',
  'gpt-5-mini-2025-08-07',
  'OpenAI/Python 1.109.1',
  '= 27 * 400 + 27 * 50 + 27 * 3\n= 10800 + 1350 + 81\n= 12231',
  '10,800 + 1,350 + 81 = **12,231**',
  'EooCCmUIDhgCKkBaUXmTlOB6/tct9FdgGnHUitUKI8K5quURKV4EBtd9Z9iRw/70nP4s8x6Wfy+xgaIseUviw0bP5mdCOigCHLn8MhFjbGF1ZGUtc29ubmV0LTQtNjgAQgh0aGlua2luZxIMnYmiATSdDMFWbN9eGgz0pcoYWuqR98on/tEiMFvRh5rgjfO36RkEHMwVcAUOLz4bpVerUiT5TcM6E34Kg/9PcKkmd/Cx5ECxLoIinSpTZYifN8PS7NlEW8gn2UJ02Th3TZjN8Eli65i+WW3+ynJqMcWNEioRLy1luSZoiBajBtLOLZLfVX/4LJe1CUGBDbRzQ5Z62qICcq6/QdGVPy5h1XkYAQ==',
  'std::vector<int> v; a[1::2]; 08:45:41; 00:1A:2B:3C:4D:5E',
  'icon@2x.png and @cloudflare/workers-types and foo@1.2.3',
  'version 1.0.0, 20.11.1, build 4.2.1.0-rc',
  'national numbers without a country code: 030 901820 77, 020 7946 0958',
  'the bearer of this letter; Basic information; bearer tokens',
];

describe('detectors: false positives', () => {
  for (const sample of traceNoise) {
    it(`finds nothing in ${JSON.stringify(sample.slice(0, 48))}`, () => {
      expect(findings(sample)).toEqual([]);
    });
  }
});

describe('detectors: true positives', () => {
  const cases: [string, string, string][] = [
    ['EMAIL', `contact ${fake.email()}, please`, fake.email()],
    ['EMAIL', 'Mail: First.Last+tag@mail.co.uk.', 'First.Last+tag@mail.co.uk'],
    ['PHONE', `call ${fake.phone()} today`, fake.phone()],
    ['PHONE', 'office (415) 555-0199 ext', '(415) 555-0199'],
    ['PHONE', 'desk 415.555.0199', '415.555.0199'],
    ['PHONE', 'uk +44 20 7946 0958', '+44 20 7946 0958'],
    ['PHONE', 'e164 +14155550142.', '+14155550142'],
    ['PHONE', `${fake.phone()} 4111 1111`, fake.phone()],
    ['CREDIT_CARD', `card ${fake.card()} exp`, fake.card()],
    ['CREDIT_CARD', 'amex 3782-822463-10005', '3782-822463-10005'],
    ['CREDIT_CARD', 'plain 5555555555554444.', '5555555555554444'],
    ['CREDIT_CARD', 'then 4111 1111 1111 1111 5 more', '4111 1111 1111 1111'],
    ['IBAN', `iban ${fake.iban()} ok`, fake.iban()],
    ['IBAN', 'GB82WEST12345698765432', 'GB82WEST12345698765432'],
    ['US_SSN', `ssn ${fake.ssn()}.`, fake.ssn()],
    ['IPV4', `from ${fake.ipv4()}:443`, fake.ipv4()],
    ['IPV6', `via [${fake.ipv6()}]:8080`, fake.ipv6()],
    ['IPV6', 'mapped ::ffff:192.0.2.128 here', '::ffff:192.0.2.128'],
    ['AWS_ACCESS_KEY', `key=${fake.awsAccessKey()}`, fake.awsAccessKey()],
    ['AWS_SECRET_KEY', `aws_secret_access_key = ${fake.awsSecret()}`, fake.awsSecret()],
    ['GITHUB_TOKEN', `token ${fake.githubToken()}`, fake.githubToken()],
    ['GITHUB_TOKEN', fake.githubPat(), fake.githubPat()],
    ['OPENAI_KEY', `OPENAI_API_KEY=${fake.openAiKey()}`, fake.openAiKey()],
    ['ANTHROPIC_KEY', `x-api-key: ${fake.anthropicKey()}`, fake.anthropicKey()],
    ['SLACK_TOKEN', fake.slackToken(), fake.slackToken()],
    ['SLACK_TOKEN', `post to ${fake.slackWebhook()}`, fake.slackWebhook()],
    ['GOOGLE_API_KEY', `?key=${fake.googleKey()}&q=1`, fake.googleKey()],
    ['STRIPE_KEY', fake.stripeKey(), fake.stripeKey()],
    ['BEARER_TOKEN', `Authorization: ${fake.bearer()}`, fake.bearer().slice('Bearer '.length)],
    ['BASIC_AUTH', `Authorization: ${fake.basic()}`, fake.basic().slice('Basic '.length)],
    ['URL_CREDENTIALS', `DSN ${fake.urlWithPassword()}`, 'app_user:S3cr3t-Pa55'],
  ];
  for (const [entity, text, secret] of cases) {
    it(`${entity} is found in ${JSON.stringify(text.slice(0, 40))}`, () => {
      expect(findings(text)).toEqual([[entity, secret]]);
    });
  }

  it('a JWT is found, and one whose header is not JSON is not', async () => {
    const jwt = await makeJwt();
    expect(findings(`token=${jwt};`)).toEqual([['JWT', jwt]]);
    const bogus = `eyJub3Rqc29u.${jwt.split('.')[1] ?? ''}.abc`;
    expect(findings(bogus)).toEqual([]);
  });

  it('a PEM private key is found whole, with real or escaped newlines, and a truncated one too', async () => {
    const pem = await makePemKey();
    expect(findings(`key:\n${pem}\nend`)).toEqual([['PRIVATE_KEY', pem]]);
    const escaped = pem.replace(/\n/g, '\\n');
    expect(findings(`"${escaped}"`)).toEqual([['PRIVATE_KEY', escaped]]);
    const truncated = pem.slice(0, 120);
    expect(findings(truncated)).toEqual([['PRIVATE_KEY', truncated]]);
  });
});

describe('detectors: checksums and number plans', () => {
  it('a card number failing Luhn is not a card', () => {
    expect(findings('4111 1111 1111 1112')).toEqual([]);
  });

  it('a Luhn-valid number without a card network prefix is not a card', () => {
    expect(findings('1234567812345670')).toEqual([]);
  });

  it('an IBAN with a wrong check digit is not an IBAN', () => {
    expect(findings('DE88 3704 0044 0532 0130 00')).toEqual([]);
  });

  it('SSNs in never-issued areas are not SSNs', () => {
    expect(findings('000-12-3456 666-12-3456 912-12-3456 123-00-4567')).toEqual([]);
  });

  it('NANP numbers need a real area code and exchange', () => {
    expect(findings('call 123-555-0100 or 415-055-0100')).toEqual([]);
  });

  it('a Basic credential must decode to user:password', () => {
    expect(findings(`Basic ${btoa('no colon here')}`)).toEqual([]);
  });

  it('an IPv4 octet above 255 is not an address', () => {
    expect(findings('10.0.0.256')).toEqual([]);
  });
});

describe('detectors: selection', () => {
  it('when detectors overlap, the leftmost match wins, then the longest', async () => {
    const jwt = await makeJwt();
    expect(findings(`Authorization: Bearer ${jwt}`)).toEqual([['BEARER_TOKEN', jwt]]);
  });

  it('every built-in pattern has a finite reach (the text window holds back at most this much)', () => {
    for (const spec of BUILT_IN_DETECTORS) {
      const compiled = compileDetector(spec);
      expect(compiled.reach, spec.entity).toBeLessThan(32_768);
    }
  });
});

describe('detectors: anchored search', () => {
  // An anchor only speeds the search up: with and without it, the findings
  // on any text must be the same.
  const anchored = BUILT_IN_DETECTORS.filter((spec) => spec.anchor !== undefined);
  const alphabet = fc.constantFrom(
    ...'ab.-_:/@ 0123456789ABCDEFfx',
    '://',
    'user:pw@',
    '2001:db8::',
    '::ffff:',
    '192.168.1.1',
    'jane.doe@example.org',
    'https://',
    '.com',
  );

  it('finds exactly what the plain pattern finds', () => {
    expect(anchored.map((spec) => spec.entity).sort()).toEqual([
      'EMAIL',
      'IPV6',
      'URL_CREDENTIALS',
    ]);
    for (const spec of anchored) {
      const fast = new DetectorSet([compileDetector(spec)]);
      const plain = new DetectorSet([compileDetector({ ...spec, anchor: undefined })]);
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
          const text = parts.join('');
          expect(findings(text, fast)).toEqual(findings(text, plain));
        }),
        { numRuns: 400 },
      );
    }
  });
});
