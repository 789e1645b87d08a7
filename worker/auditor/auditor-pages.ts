// The auditor's web pages (mounted at /audit), read-only:
//
//   GET /audit/sessions             list, filterable, newest first
//   GET /audit/sessions/{id}        one session: timeline, response head, body
//   GET /audit/sessions/{id}/body   the raw replay (same as the API's)
//
// Same gate as the API (require-auditor.ts), plus the browser session. The
// body view shows at most VIEW_LIMIT bytes, fetched with an R2 range read so
// a large recording is never loaded whole; the raw replay link has the rest.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { causeReason, describeError, GatewayError } from '../http/errors.ts';
import { parseAuditFilters, parseCursor, parseLimit } from './audit-filters.ts';
import { auditorPage } from './pages/auditor-shell.ts';
import { replayBody } from './pages/session-replay-page.ts';
import { sessionListBody } from './pages/session-list-page.ts';
import { requireAuditor, type AuditorDeps, type AuditorEnv } from './require-auditor.ts';
import { listSessions } from './session-index.ts';
import { getRecordedBody } from './session-store.ts';
import { encodeCursor } from './audit-filters.ts';
import { sessionBody, sessionDetail } from './sessions-api.ts';

export const VIEW_LIMIT = 256 * 1024;

const TEXT_TYPES =
  /^(text\/|application\/([a-z0-9.+-]*\+)?(json|x-ndjson|ndjson|jsonl|xml|x-yaml|yaml|javascript)\b)/i;

export function createAuditorPages(deps: AuditorDeps): Hono<AuditorEnv> {
  const pages = new Hono<AuditorEnv>();
  pages.onError(async (error, c) => {
    const gatewayError =
      error instanceof GatewayError ? error : new GatewayError('internal_error', { cause: error });
    if (gatewayError.status >= 500)
      console.error(`[${c.get('requestId')}] audit pages: ${causeReason(error)}`);
    const shape = describeError(gatewayError.code);
    const page = await auditorPage({
      title: shape.title,
      status: shape.status,
      body: html`<h1>${shape.title}</h1>
        <p>${gatewayError.publicDetail ?? shape.detail}</p>
        ${
          gatewayError.status === 401
            ? html`<p class="muted">
                These pages need an auditor: present a bearer token, or sign in.
              </p>`
            : ''
        }
        <p class="muted">Request id <code>${c.get('requestId')}</code></p>`,
    });
    page.headers.set('x-request-id', c.get('requestId'));
    if (gatewayError.status === 401)
      page.headers.set('www-authenticate', 'Bearer realm="tracegate"');
    return page;
  });
  pages.use(requireAuditor(deps, { browser: true }));

  pages.get('/sessions', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters = parseAuditFilters(params);
    const page = await listSessions(
      c.env.AUDIT_DB,
      filters,
      parseCursor(params),
      parseLimit(params),
    );
    const form = {
      from: params.get('from') ?? '',
      to: params.get('to') ?? '',
      namespace: params.get('namespace') ?? '',
      actor: params.get('actor') ?? '',
    };
    let nextQuery: string | null = null;
    if (page.nextBefore !== null) {
      const next = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== ''));
      next.set('cursor', encodeCursor(page.nextBefore));
      nextQuery = next.toString();
    }
    return auditorPage({
      title: 'Recorded sessions',
      body: sessionListBody({ sessions: page.sessions, filters: form, nextQuery }),
    });
  });

  pages.get('/sessions/:id', async (c) => {
    const detail = await sessionDetail(c.env, c.req.param('id'));
    const key = detail.session.recordingKey;
    const stored = detail.manifest?.body.stored ?? false;
    const body =
      key === null || !stored ? null : await getRecordedBody(c.env.RECORDINGS, key, VIEW_LIMIT);
    const contentType = detail.manifest?.body.contentType ?? '';
    let bodyText: string | null = null;
    let shown = 0;
    if (body !== null) {
      const bytes = new Uint8Array(await body.arrayBuffer());
      shown = bytes.byteLength;
      if (contentType === '' || TEXT_TYPES.test(contentType)) {
        bodyText = new TextDecoder().decode(bytes);
      }
    }
    return auditorPage({
      title: `Session ${detail.session.sessionId}`,
      body: replayBody({
        session: detail.session,
        recording: detail.recording,
        manifest: detail.manifest,
        events: detail.events,
        bodyText,
        bodyShownBytes: shown,
        bodyTotalBytes: body === null ? null : (detail.manifest?.body.size ?? shown),
      }),
    });
  });

  pages.get('/sessions/:id/body', (c) => sessionBody(c.env, c.req.param('id'), c.get('requestId')));

  return pages;
}
