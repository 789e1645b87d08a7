// The gateway's own API as an OpenAPI 3.1 document, assembled from the
// operation tables (api-operations.ts, gateway-operations.ts) and the zod
// schemas the handlers use (schema-components.ts).
//
// It does not depend on configuration or the request (servers is `/`, the
// namespace paths are documented generically), so it is built once per
// isolate and is the same for every deployment of a given version.
import { ERROR_CODES } from '../http/errors.ts';
import { sessionCookieName } from '../session/review-session.ts';
import { API_ROUTES } from './api-operations.ts';
import { GATEWAY_ROUTES } from './gateway-operations.ts';
import type { DocumentedRoute, OpenApiDocument, PathItemObject } from './openapi-types.ts';
import { DEFAULT_PROBLEM, SHARED_HEADERS, SHARED_PARAMETERS } from './responses.ts';
import { componentSchemas } from './schema-components.ts';

export const OPENAPI_VERSION = '3.1.1';
/** Bumped with the API (not the package): clients compare it. */
export const API_VERSION = '1.0.0';

export const DOCUMENTED_ROUTES: readonly DocumentedRoute[] = [...API_ROUTES, ...GATEWAY_ROUTES];

const TAGS = [
  { name: 'Traces', description: 'Reading traces through the gateway.' },
  { name: 'Access requests', description: 'The review flow: requesters and reviewers.' },
  { name: 'Audit', description: 'The tamper-evident audit log (auditors).' },
  { name: 'Sessions', description: 'Recorded reads (auditors).' },
  { name: 'Meta', description: 'Health and this document.' },
  { name: 'Pages', description: 'HTML pages for browsers, listed for completeness.' },
];

export function buildOpenApiDocument(): OpenApiDocument {
  const paths: Record<string, PathItemObject> = {};
  for (const { method, path, operation } of DOCUMENTED_ROUTES) {
    const item = (paths[path] ??= {});
    if (item[method] !== undefined) throw new TypeError(`${method} ${path} documented twice`);
    item[method] = operation;
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Tracegate',
      version: API_VERSION,
      summary: 'Access-review gateway for LLM reasoning traces',
      description:
        'Every read is authenticated (a bearer JWT from a configured issuer), decided by the ' +
        "namespace's policy, audited before any byte flows, and may be held for human review. " +
        'Errors are RFC 9457 problem documents with a stable `code` (one of ' +
        `${ERROR_CODES.length}); \`detail\` is for people and may change.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'This gateway.' }],
    tags: TAGS,
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      parameters: { ...SHARED_PARAMETERS },
      headers: { ...SHARED_HEADERS },
      responses: { Problem: DEFAULT_PROBLEM },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "An access token from one of the gateway's configured issuers (RFC 6750 " +
            'Authorization header; never a query parameter or cookie).',
        },
        gatewaySession: {
          type: 'apiKey',
          in: 'cookie',
          name: sessionCookieName(true),
          description:
            'The browser sign-in of the review and auditor pages (set by /review/login; ' +
            `\`${sessionCookieName(false)}\` over plain HTTP). Not accepted by the JSON API.`,
        },
      },
    },
  };
}

let cached: { document: OpenApiDocument; json: string } | undefined;

/** The document and its JSON text, built on first use. */
export function openApiDocument(): { document: OpenApiDocument; json: string } {
  if (cached === undefined) {
    const document = buildOpenApiDocument();
    cached = { document, json: JSON.stringify(document) };
  }
  return cached;
}
