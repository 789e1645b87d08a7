// Every auditor endpoint (sessions API, audit API, auditor pages) refuses a
// caller without a token (401) and a caller outside the auditor groups (403
// access_denied), audits the refusal, and does not run its handler; an
// auditor gets through.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  auditRows,
  bearer,
  chunkedResponse,
  createHarness,
  send,
  type Harness,
} from './recording-harness.ts';

let harness: Harness;
let sessionId: string;

beforeAll(async () => {
  harness = await createHarness();
  const served = await send(harness, '/lf/traces/t1', {
    init: bearer(await harness.staffToken()),
    upstream: async () => chunkedResponse(['{"trace":"t1"}'], 'application/json'),
  });
  sessionId = served.response.headers.get('x-request-id') ?? '';
});

const routes: { method: string; path: () => string; auditorStatus: number; name?: string }[] = [
  { method: 'GET', path: () => '/v1/sessions', auditorStatus: 200 },
  { method: 'GET', path: () => '/v1/sessions?namespace=lf&limit=5', auditorStatus: 200 },
  {
    method: 'GET',
    path: () => `/v1/sessions/${sessionId}`,
    auditorStatus: 200,
    name: '/v1/sessions/{id}',
  },
  {
    method: 'GET',
    path: () => `/v1/sessions/${sessionId}/body`,
    auditorStatus: 200,
    name: '/v1/sessions/{id}/body',
  },
  { method: 'GET', path: () => '/v1/audit', auditorStatus: 200 },
  { method: 'GET', path: () => '/v1/audit?event=decision&limit=2', auditorStatus: 200 },
  { method: 'GET', path: () => '/v1/audit/export?format=ndjson', auditorStatus: 200 },
  { method: 'GET', path: () => '/v1/audit/export?format=csv', auditorStatus: 200 },
  { method: 'GET', path: () => '/v1/audit/verify', auditorStatus: 200 },
  { method: 'POST', path: () => '/v1/audit/checkpoints', auditorStatus: 200 },
  { method: 'GET', path: () => '/audit/sessions', auditorStatus: 200 },
  {
    method: 'GET',
    path: () => `/audit/sessions/${sessionId}`,
    auditorStatus: 200,
    name: '/audit/sessions/{id}',
  },
  {
    method: 'GET',
    path: () => `/audit/sessions/${sessionId}/body`,
    auditorStatus: 200,
    name: '/audit/sessions/{id}/body',
  },
];

const checkpointCount = () =>
  env.AUDIT_DB.prepare('SELECT count(*) AS n FROM audit_checkpoints').first<number>('n');

describe('auditor endpoints', () => {
  for (const route of routes) {
    it(`${route.method} ${route.name ?? route.path()}: 401 without a token, 403 for a non-auditor, ${route.auditorStatus} for an auditor`, async () => {
      const path = route.path();
      const anonymous = await send(harness, path, { init: { method: route.method } });
      expect(anonymous.response.status).toBe(401);
      // Nothing about the recorded read (its path or body) reaches an anonymous caller.
      expect(anonymous.text).not.toContain('/lf/traces/t1');
      expect(anonymous.text).not.toContain('{"trace"');

      const checkpointsBefore = await checkpointCount();
      for (const token of [await harness.staffToken(), await harness.visitorToken()]) {
        const refused = await send(harness, path, {
          init: { ...bearer(token), method: route.method },
        });
        expect(refused.response.status).toBe(403);
        expect(refused.text).not.toContain('{"trace"');
        if (path.startsWith('/v1/')) {
          expect(JSON.parse(refused.text)).toMatchObject({ code: 'access_denied' });
        } else {
          expect(refused.response.headers.get('content-type')).toContain('text/html');
        }
        const rows = await auditRows(refused.response.headers.get('x-request-id') ?? '');
        expect(rows).toMatchObject([
          { event: 'decision', decision: 'deny', rule_id: 'auditor-access' },
        ]);
      }
      // The refused POST did not run its handler.
      expect(await checkpointCount()).toBe(checkpointsBefore);

      const allowed = await send(harness, path, {
        init: { ...bearer(await harness.auditorToken()), method: route.method },
      });
      expect(allowed.response.status).toBe(route.auditorStatus);
      const rows = await auditRows(allowed.response.headers.get('x-request-id') ?? '');
      expect(rows[0]).toMatchObject({
        event: 'decision',
        decision: 'allow',
        rule_id: 'auditor-access',
        actor_subject: 'dave',
      });
    });
  }

  it('an auditor group can be renamed in the configuration', async () => {
    const renamed = await createHarness();
    renamed.config.gateway.auditorGroups = ['compliance'];
    const token = await renamed.idp.sign({ sub: 'erin', groups: ['compliance'] });
    expect(
      (await send(renamed, '/v1/audit?limit=1', { init: bearer(token) })).response.status,
    ).toBe(200);
    const auditor = await renamed.auditorToken();
    expect(
      (await send(renamed, '/v1/audit?limit=1', { init: bearer(auditor) })).response.status,
    ).toBe(403);
  });
});
