// The masking profile: what a namespace or policy rule wants masked, as it
// is written in tracegate.yaml under `masking.profiles.<name>`.
//
//   detectors: all                   # or a list: [EMAIL, PHONE, JWT, ...]
//   disabledDetectors: [IPV4]
//   customDetectors:
//     - { name: EMPLOYEE_ID, pattern: 'EMP-\d{6}' }   # bounded quantifiers only
//   fields:                          # first matching rule wins; deeper paths override
//     - { path: "$.observations[*].metadata.resourceAttributes['host.name']", action: pseudonymise, entity: HOSTNAME }
//     - { path: ..password, action: redact }
//   allow: [..signature, ..encrypted_content]   # never scanned (= action: keep)
//   operators: { default: replace, EMAIL: hash, CREDIT_CARD: { type: partial, keepLast: 4 } }
//   contentTypes: { application/x-yaml: text, image/*: refuse }
//   otherContentTypes: refuse        # unknown or binary types: passthrough | refuse
//
// Everything has a safe default, so `{}` is a working profile: all detectors
// on, `[ENTITY]` placeholders, JSON in strings scanned, unknown types refused.
// Paths and custom patterns are compiled here so a bad one fails the config
// check with a message naming the field.
import { z } from 'zod';
import { BUILT_IN_ENTITIES } from './detectors/catalog.ts';
import { compileDetector } from './detectors/compile.ts';
import { parsePathPattern } from './path-pattern.ts';

const entityName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,47}$/, 'use UPPER_SNAKE_CASE, like EMAIL or EMPLOYEE_ID');

const builtInDetector = z.enum(BUILT_IN_ENTITIES as [string, ...string[]], {
  error: (issue) =>
    `unknown detector ${JSON.stringify(issue.input)}; built-in detectors are ${BUILT_IN_ENTITIES.join(', ')}`,
});

const hexLength = z.number().int().min(8).max(64);

const operatorSchema = z.union(
  [
    z.enum(['replace', 'hash', 'partial']),
    z.strictObject({ type: z.literal('replace') }),
    z.strictObject({ type: z.literal('hash'), length: hexLength.optional() }),
    z.strictObject({
      type: z.literal('partial'),
      keepLast: z.number().int().min(0).max(16).default(4),
      keepFirst: z.number().int().min(0).max(16).default(0),
      maskChar: z.string().length(1).default('*'),
    }),
  ],
  { error: 'an operator is "replace", "hash", "partial", or an object with type and options' },
);

const pathPattern = z.string().superRefine((value, ctx) => {
  try {
    parsePathPattern(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid path: ${(error as Error).message}` });
  }
});

const customDetectorSchema = z
  .strictObject({
    name: entityName,
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[imsu]{0,4}$/, 'flags may only contain i, m, s, u')
      .default(''),
  })
  .superRefine((detector, ctx) => {
    try {
      compileDetector({ entity: detector.name, source: detector.pattern, flags: detector.flags });
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
    }
  });

const fieldRuleSchema = z.strictObject({
  path: pathPattern,
  action: z.enum(['redact', 'keep', 'pseudonymise', 'scan'], {
    error: 'action is one of redact, keep, pseudonymise, scan',
  }),
  /** Placeholder label / hash prefix and the key in counts (default REDACTED or PSEUDONYM). */
  entity: entityName.optional(),
});

const mediaRange = z
  .string()
  .regex(
    /^[a-z0-9!#$&^_.+-]+\/(?:\*|[a-z0-9!#$&^_.+-]+)$/,
    'a media type like "text/csv" or "image/*"',
  );

const formatChoice = z.enum(['json', 'ndjson', 'sse', 'text', 'passthrough', 'refuse']);

export const maskingProfileSchema = z
  .strictObject({
    /** Built-in detectors to run: `all` (the default) or a list. */
    detectors: z
      .preprocess(
        (value) => (value === 'all' ? [...BUILT_IN_ENTITIES] : value),
        z.array(builtInDetector, { error: 'detectors is "all" or a list of detector names' }),
      )
      .optional()
      .transform((value) => value ?? [...BUILT_IN_ENTITIES]),
    disabledDetectors: z.array(builtInDetector).default([]),
    customDetectors: z.array(customDetectorSchema).default([]),
    fields: z.array(fieldRuleSchema).default([]),
    allow: z.array(pathPattern).default([]),
    operators: z
      .record(z.union([z.literal('default'), entityName]), operatorSchema, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'operator keys are "default" or an entity name like EMAIL'
            : undefined,
      })
      .default({}),
    /** Hex characters in keyed-hash tokens (hash operator default and pseudonymise rules). */
    hashLength: hexLength.default(12),
    /** Run detectors on member names too (a map keyed by e-mail address). */
    scanKeys: z.boolean().default(true),
    /** Mask strings that hold JSON as JSON, with paths continuing inside. */
    scanJsonInStrings: z.boolean().default(true),
    contentTypes: z
      .record(mediaRange, formatChoice, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'keys are media types like "text/csv" or "image/*"'
            : undefined,
      })
      .default({}),
    otherContentTypes: z.enum(['passthrough', 'refuse']).default('refuse'),
    limits: z
      .strictObject({
        /** Longest string value held whole (UTF-16 code units of its JSON text). */
        maxValueChars: z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(1024 * 1024),
        /** Longer strings: `scan` them through the streaming window (no path rules inside), or `fail`. */
        oversizedValues: z.enum(['scan', 'fail']).default('scan'),
        /** SSE events longer than this fail the stream. */
        maxEventChars: z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(1024 * 1024),
        maxDepth: z.number().int().min(1).max(10_000).default(512),
        maxJsonInStringDepth: z.number().int().min(0).max(16).default(4),
      })
      .prefault({}),
  })
  .superRefine((profile, ctx) => {
    const names = new Set<string>();
    profile.customDetectors.forEach((detector, i) => {
      if (names.has(detector.name) || BUILT_IN_ENTITIES.includes(detector.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['customDetectors', i, 'name'],
          message: `detector name "${detector.name}" is already taken`,
        });
      }
      names.add(detector.name);
    });
  });

export type MaskingProfile = z.infer<typeof maskingProfileSchema>;
export type MaskingProfileInput = z.input<typeof maskingProfileSchema>;
