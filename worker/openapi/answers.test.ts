// Real answers of the gateway validate against the schemas the document
// gives for them: every problem code, an auth failure and a bad query as
// sent on the wire, and the auditor API's pages, reports and a recorded
// session (manifest and timeline read back from R2).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createD1AuditLog } from '../audit/audit-log.ts';
import { ERROR_CODES, GatewayError } from '../http/errors.ts';
import { problemResponse } from '../http/problem.ts';
import {
  bearer,
  chunkedResponse,
  createHarness,
  send,
  type Harness,
} from '../../test/workers/recording-harness.ts';
import { buildOpenApiDocument, DOCUMENTED_ROUTES } from './document.ts';
import type { ResponseObject } from './openapi-types.ts';
import { resolvePointer, schemaValidator } from './test-support.ts';

const doc = buildOpenApiDocument();
const validator = schemaValidator(doc);

/** A validator for the body the document gives `operationId` at `status`. */
function documentedAnswer(operationId: string, status: string, mediaType: string) {
  const route = DOCUMENTED_ROUTES.find((r) => r.operation.operationId === operationId);
  const item = route?.operation.responses[status];
  const response = (
    item !== undefined && '$ref' in item ? resolvePointer(doc, item.$ref) : item
  ) as ResponseObject | undefined;
  const schema = response?.content?.[mediaType]?.schema;
  if (schema === undefined) throw new Error(`${operationId} ${status} ${mediaType}: no schema`);
  const validate = validator.compile(schema);
  return (body: unknown) => {
    const ok = validate(body);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}

describe('problem documents', () => {
  it('for every code validate against the Problem schema', async () => {
    const validate = validator.component('Problem');
    for (const code of ERROR_CODES) {
      const body: unknown = await problemResponse(new GatewayError(code), 'req-1').json();
      expect(validate(body), `${code}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('reject a code outside the closed list (the check can fail)', async () => {
    const body = (await problemResponse(new GatewayError('not_found'), 'r').json()) as object;
    expect(validator.component('Problem')({ ...body, code: 'no_such_code' })).toBe(false);
  });
});

describe('answers on the wire', () => {
  let harness: Harness;
  let auditor: RequestInit;

  beforeAll(async () => {
    harness = await createHarness();
    auditor = bearer(await harness.auditorToken());
  });

  it('GET /healthz matches Health', async () => {
    const { response, text } = await send(harness, '/healthz');
    expect(response.status).toBe(200);
    expect(validator.component('Health')(JSON.parse(text))).toBe(true);
  });

  it('a request without a token matches the documented 401', async () => {
    const { response, text } = await send(harness, '/v1/requests');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const errors = documentedAnswer('listAccessRequests', '401', 'application/problem+json');
    expect(errors(JSON.parse(text))).toEqual([]);
  });

  it('a bad audit query matches the documented 400', async () => {
    const { response, text } = await send(harness, '/v1/audit?limit=0', { init: auditor });
    expect(response.status).toBe(400);
    const errors = documentedAnswer('queryAudit', '400', 'application/problem+json');
    expect(errors(JSON.parse(text))).toEqual([]);
  });

  it('the audit page, the verify report and a checkpoint run match their schemas', async () => {
    await createD1AuditLog(env.AUDIT_DB, Date.now, env).write({
      event: 'decision',
      requestId: 'openapi-answer-1',
      namespace: 'lf',
      decision: 'allow',
    });
    const page = await send(harness, '/v1/audit?limit=5', { init: auditor });
    expect(page.response.status).toBe(200);
    const pageBody: unknown = JSON.parse(page.text);
    expect(documentedAnswer('queryAudit', '200', 'application/json')(pageBody)).toEqual([]);
    expect(pageBody).toMatchObject({ events: expect.arrayContaining([expect.anything()]) });

    const sealed = await send(harness, '/v1/audit/checkpoints', {
      init: { ...auditor, method: 'POST' },
    });
    const status = String(sealed.response.status);
    expect(['200', '409']).toContain(status);
    expect(
      documentedAnswer(
        'writeAuditCheckpoints',
        status,
        'application/json',
      )(JSON.parse(sealed.text)),
    ).toEqual([]);

    const verify = await send(harness, '/v1/audit/verify', { init: auditor });
    expect(verify.response.status).toBe(200);
    expect(
      documentedAnswer('verifyAudit', '200', 'application/json')(JSON.parse(verify.text)),
    ).toEqual([]);
  });

  it('a recorded session matches SessionPage and SessionDetail', async () => {
    const read = await send(harness, '/lf/traces/openapi-t1', {
      init: bearer(await harness.staffToken()),
      upstream: async () => chunkedResponse(['{"trace":', '"ok"}'], 'application/json'),
    });
    expect(read.response.status).toBe(200);
    const sessionId = read.response.headers.get('x-request-id') ?? '';

    const list = await send(harness, '/v1/sessions?namespace=lf&limit=10', { init: auditor });
    expect(list.response.status).toBe(200);
    const listBody: unknown = JSON.parse(list.text);
    expect(documentedAnswer('listSessions', '200', 'application/json')(listBody)).toEqual([]);

    const detail = await send(harness, `/v1/sessions/${sessionId}`, { init: auditor });
    expect(detail.response.status).toBe(200);
    const detailBody: unknown = JSON.parse(detail.text);
    expect(detailBody).toMatchObject({ recording: 'complete', manifest: { sessionId } });
    expect(documentedAnswer('getSession', '200', 'application/json')(detailBody)).toEqual([]);
  });
});
