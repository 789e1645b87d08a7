// Drift between the document and the code fails here:
//   - a route registered with Hono and not documented, or documented and gone;
//   - a request body whose generated JSON Schema and zod schema disagree on a
//     sample (explicit samples at the edges, and random ones);
//   - a documented body without samples (add them here when adding a body).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { MAX_GRANT_SECONDS, MAX_REASON_CHARS } from '../requests/representation.ts';
import { appFor, createHarness } from '../../test/workers/recording-harness.ts';
import { buildOpenApiDocument, DOCUMENTED_ROUTES } from './document.ts';
import { REQUEST_BODY_SCHEMAS } from './schema-components.ts';
import { schemaValidator } from './test-support.ts';

const doc = buildOpenApiDocument();

/** The trace read is Hono's catch-all (`*`), documented once as a template. */
const GENERIC_READ = 'GET /{namespacePrefix}/{path}';

const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('routes', () => {
  let registered: string[] = [];

  beforeAll(async () => {
    const app = appFor(await createHarness());
    // Middleware and the catch-all are registered under wildcard paths.
    registered = [
      ...new Set(
        app.routes
          .filter((route) => !route.path.includes('*'))
          .map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`),
      ),
    ].sort();
  });

  const documented = () =>
    DOCUMENTED_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((key) => key !== GENERIC_READ)
      .sort();

  it('documents every route registered under /v1', () => {
    const v1 = registered.filter((key) => key.split(' ')[1]?.startsWith('/v1'));
    expect(v1.length).toBeGreaterThanOrEqual(12);
    expect(v1.filter((key) => !documented().includes(key))).toEqual([]);
  });

  it('documents every other registered route (pages, health, this document)', () => {
    expect(registered.filter((key) => !documented().includes(key))).toEqual([]);
  });

  it('documents no route that is not registered', () => {
    expect(documented().filter((key) => !registered.includes(key))).toEqual([]);
  });

  it('builds the paths object from exactly the documented routes', () => {
    const inDocument = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(inDocument.sort()).toEqual([...documented(), GENERIC_READ].sort());
  });
});

type BodyName = keyof typeof REQUEST_BODY_SCHEMAS;

const longReason = 'r'.repeat(MAX_REASON_CHARS);

/** Per body: samples its zod schema accepts, and samples it rejects. */
const SAMPLES: Record<BodyName, { accepted: unknown[]; rejected: unknown[] }> = {
  ApproveRequest: {
    accepted: [
      {},
      { grantSeconds: 1 },
      { grantSeconds: MAX_GRANT_SECONDS },
      { reason: 'on call for INC-4521' },
      { grantSeconds: 3600, reason: longReason },
    ],
    rejected: [
      { grantSeconds: 0 },
      { grantSeconds: MAX_GRANT_SECONDS + 1 },
      { grantSeconds: 1.5 },
      { grantSeconds: '3600' },
      { grantSeconds: null },
      { reason: '' },
      { reason: `${longReason}r` },
      { reason: 42 },
      { approve: true },
      [],
      null,
      'approve',
    ],
  },
  DenyRequest: {
    accepted: [{ reason: 'no ticket' }, { reason: longReason }],
    rejected: [
      {},
      { reason: '' },
      { reason: `${longReason}r` },
      { reason: ['no'] },
      { reason: 'no', grantSeconds: 60 },
      [],
      null,
    ],
  },
  CancelRequest: {
    accepted: [{}],
    rejected: [{ reason: 'changed my mind' }, [], null, 0],
  },
  CheckpointRequest: {
    accepted: [{}, { acknowledge: { seq: 12, note: 'INC-88: row edited in the console' } }],
    rejected: [
      { acknowledge: { seq: 12 } },
      { acknowledge: { seq: 0, note: 'x' } },
      { acknowledge: { seq: 1.5, note: 'x' } },
      { acknowledge: { seq: 12, note: '' } },
      { acknowledge: { seq: 12, note: `${longReason}r` } },
      { acknowledge: { seq: 12, note: 'x', by: 'someone else' } },
      { seal: true },
      [],
      null,
    ],
  },
};

function documentedBodies(): string[] {
  const names = new Set<string>();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      const ref = op.requestBody?.content['application/json']?.schema?.['$ref'];
      if (typeof ref === 'string') names.add(ref.replace('#/components/schemas/', ''));
    }
  }
  return [...names].sort();
}

describe('request bodies', () => {
  const validator = schemaValidator(doc);

  it('are each documented with samples here', () => {
    expect(documentedBodies()).toEqual(Object.keys(SAMPLES).sort());
    expect(Object.keys(REQUEST_BODY_SCHEMAS).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  for (const [name, samples] of Object.entries(SAMPLES)) {
    const schema: z.ZodType = REQUEST_BODY_SCHEMAS[name as BodyName];

    it(`${name}: samples zod accepts validate against the document`, () => {
      const validate = validator.component(name);
      for (const sample of samples.accepted) {
        expect(schema.safeParse(sample).success, JSON.stringify(sample)).toBe(true);
        expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
      }
    });

    it(`${name}: samples zod rejects are rejected by the document`, () => {
      const validate = validator.component(name);
      for (const sample of samples.rejected) {
        expect(schema.safeParse(sample).success, JSON.stringify(sample)).toBe(false);
        expect(validate(sample), JSON.stringify(sample)).toBe(false);
      }
    });

    it(`${name}: zod and the document agree on random bodies`, () => {
      const validate = validator.component(name);
      // Strings are printable ASCII without surrounding spaces: zod trims
      // reasons before measuring them and counts UTF-16 units, neither of
      // which JSON Schema can say; the explicit samples cover the edges.
      const text = fc.oneof(
        fc.string({ maxLength: 40 }).map((s) => s.trim()),
        fc.constantFrom(longReason, `${longReason}r`),
      );
      const value = fc.oneof(
        text,
        fc.integer({ min: -5, max: MAX_GRANT_SECONDS + 5 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 2 }),
      );
      const body = fc.oneof(
        fc.record({ grantSeconds: value, reason: value, extra: value }, { requiredKeys: [] }),
        value,
      );
      fc.assert(
        fc.property(body, (sample) => {
          expect(validate(sample), JSON.stringify(sample)).toBe(schema.safeParse(sample).success);
        }),
        { numRuns: 400 },
      );
    });
  }
});
