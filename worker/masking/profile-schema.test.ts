import { describe, expect, it } from 'vitest';
import { BUILT_IN_ENTITIES } from './detectors/catalog.ts';
import { maskingProfileSchema } from './profile-schema.ts';

function issues(input: unknown): string[] {
  const result = maskingProfileSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('maskingProfileSchema', () => {
  it('an empty profile is a complete, safe one', () => {
    const profile = maskingProfileSchema.parse({});
    expect(profile.detectors).toEqual(BUILT_IN_ENTITIES);
    expect(profile.otherContentTypes).toBe('refuse');
    expect(profile.scanJsonInStrings).toBe(true);
    expect(profile.limits.maxValueChars).toBe(1024 * 1024);
  });

  it('an unknown detector is named with the list of valid ones', () => {
    expect(issues({ detectors: ['EMAIL', 'PASSPORT'] })[0]).toMatch(
      /detectors.1: unknown detector "PASSPORT"; built-in detectors are EMAIL|PRIVATE_KEY/,
    );
  });

  it('an unbounded custom pattern is rejected with a hint', () => {
    expect(issues({ customDetectors: [{ name: 'TICKET', pattern: 'T-\\d+' }] })).toEqual([
      expect.stringMatching(/^customDetectors.0.pattern: unbounded quantifier "\+".*\{1,64\}/),
    ]);
  });

  it('a custom pattern that does not compile is rejected', () => {
    expect(issues({ customDetectors: [{ name: 'BAD', pattern: '(ab' }] })[0]).toMatch(
      /^customDetectors.0.pattern/,
    );
  });

  it('a custom detector may not reuse a built-in name', () => {
    expect(issues({ customDetectors: [{ name: 'EMAIL', pattern: 'x{1,3}' }] })[0]).toMatch(
      /already taken/,
    );
  });

  it('a bad path names the rule', () => {
    expect(issues({ fields: [{ path: '$.a[', action: 'redact' }] })[0]).toMatch(
      /^fields.0.path: invalid path: missing "\]"/,
    );
  });

  it('an unknown action lists the valid ones', () => {
    expect(issues({ fields: [{ path: '$.a', action: 'drop' }] })[0]).toMatch(
      /redact, keep, pseudonymise, scan/,
    );
  });

  it('unknown keys are errors, so a typo never turns masking off', () => {
    expect(issues({ detector: 'all' })[0]).toMatch(/detector/);
  });

  it('entity names are UPPER_SNAKE_CASE', () => {
    expect(issues({ fields: [{ path: '$.a', action: 'redact', entity: 'host name' }] })[0]).toMatch(
      /UPPER_SNAKE_CASE/,
    );
  });

  it('operators accept shorthands and options', () => {
    const profile = maskingProfileSchema.parse({
      operators: {
        default: 'hash',
        CREDIT_CARD: { type: 'partial', keepLast: 4 },
        EMAIL: { type: 'hash', length: 16 },
      },
    });
    expect(profile.operators.CREDIT_CARD).toEqual({
      type: 'partial',
      keepLast: 4,
      keepFirst: 0,
      maskChar: '*',
    });
    expect(issues({ operators: { EMAIL: 'scramble' } })[0]).toMatch(
      /operator is "replace", "hash", "partial"/,
    );
  });

  it('content type overrides take media types and formats', () => {
    expect(issues({ contentTypes: { 'text/csv': 'text', 'image/*': 'refuse' } })).toEqual([]);
    expect(issues({ contentTypes: { csv: 'text' } })[0]).toMatch(/media type/);
  });
});
