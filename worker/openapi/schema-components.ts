// The document's Schema Objects, converted by zod (z.toJSONSchema, JSON
// Schema draft 2020-12, which is OpenAPI 3.1's own dialect) from the very
// schemas the handlers parse with or type their answers by. Nothing here is a
// hand-written JSON Schema; a shape the code does not own as zod does not
// belong in this file.
//
// Request bodies and query strings are converted as zod *input* (what a caller
// sends: defaults optional, coercions as their input type); answers as
// *output* (what the gateway sends). A schema registered under an id becomes a
// `$ref` wherever another registered schema contains it.
import { z } from 'zod';
import {
  auditExportQuerySchema,
  auditPageSchema,
  checkpointBodySchema,
} from '../auditor/audit-api.ts';
import { auditQuerySchema } from '../auditor/audit-filters.ts';
import { auditEventSchema } from '../auditor/audit-row-view.ts';
import { sessionSummarySchema } from '../auditor/session-index.ts';
import {
  recordingStateSchema,
  sessionDetailSchema,
  sessionListQuerySchema,
  sessionPageSchema,
} from '../auditor/sessions-api.ts';
import { checkpointResultSchema } from '../audit/audit-chain-d1.ts';
import { verifyReportSchema } from '../audit/verify-audit-log.ts';
import { problemDocumentSchema } from '../http/problem.ts';
import { sessionManifestSchema } from '../recording/manifest.ts';
import { sessionEventSchema } from '../recording/session-events.ts';
import {
  accessRequestListItemSchema,
  accessRequestListSchema,
  accessRequestResourceSchema,
  accessRequestStatusSchema,
  accessRequestSummarySchema,
  approveBodySchema,
  cancelBodySchema,
  denyBodySchema,
  listQuerySchema,
  waitQuerySchema,
} from '../requests/representation.ts';
import type { JsonSchema, ParameterObject } from './openapi-types.ts';

/** `GET /healthz` answers a literal in app.ts; this is its only schema. */
export const healthSchema = z.object({ ok: z.literal(true) });

/** JSON request bodies, by component name (io: input). */
export const REQUEST_BODY_SCHEMAS = {
  ApproveRequest: approveBodySchema,
  DenyRequest: denyBodySchema,
  CancelRequest: cancelBodySchema,
  CheckpointRequest: checkpointBodySchema,
} as const satisfies Record<string, z.ZodType>;

/** Answers, by component name (io: output). */
export const RESPONSE_SCHEMAS = {
  Problem: problemDocumentSchema,
  AccessRequestStatus: accessRequestStatusSchema,
  AccessRequestSummary: accessRequestSummarySchema,
  AccessRequest: accessRequestResourceSchema,
  AccessRequestListItem: accessRequestListItemSchema,
  AccessRequestList: accessRequestListSchema,
  AuditEvent: auditEventSchema,
  AuditPage: auditPageSchema,
  VerifyReport: verifyReportSchema,
  CheckpointResult: checkpointResultSchema,
  SessionSummary: sessionSummarySchema,
  SessionPage: sessionPageSchema,
  RecordingState: recordingStateSchema,
  SessionManifest: sessionManifestSchema,
  SessionEvent: sessionEventSchema,
  SessionDetail: sessionDetailSchema,
  Health: healthSchema,
} as const satisfies Record<string, z.ZodType>;

/** Query strings, by operation (io: input); each property becomes a parameter. */
export const QUERY_SCHEMAS = {
  listAccessRequests: listQuerySchema,
  getAccessRequest: waitQuerySchema,
  queryAudit: auditQuerySchema,
  exportAudit: auditExportQuerySchema,
  listSessions: sessionListQuerySchema,
} as const satisfies Record<string, z.ZodObject>;

export type SchemaName = keyof typeof REQUEST_BODY_SCHEMAS | keyof typeof RESPONSE_SCHEMAS;

export const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

function convertRegistered(
  schemas: Record<string, z.ZodType>,
  io: 'input' | 'output',
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const converted = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas;
  const result: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(converted)) {
    // Shared definitions would need a home in the document; registering the
    // shared schema under its own name is the fix.
    if (!Object.hasOwn(schemas, id)) throw new TypeError(`unregistered shared schema ${id}`);
    // `$id` (a fragment here) and `$schema` are the document's business.
    result[id] = Object.fromEntries(
      Object.entries(schema).filter(([keyword]) => keyword !== '$id' && keyword !== '$schema'),
    );
  }
  return result;
}

/** Every component schema; the two name sets must not overlap. */
export function componentSchemas(): Record<string, JsonSchema> {
  return {
    ...convertRegistered(REQUEST_BODY_SCHEMAS, 'input'),
    ...convertRegistered(RESPONSE_SCHEMAS, 'output'),
  };
}

/** The query parameters of a zod object schema, one per property, in order. */
export function queryParameters(schema: z.ZodObject): ParameterObject[] {
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  });
  const properties = isRecord(converted.properties) ? converted.properties : {};
  const required = Array.isArray(converted.required) ? converted.required : [];
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = isRecord(property) ? property : {};
    return {
      name,
      in: 'query',
      ...(typeof description === 'string' ? { description } : {}),
      required: required.includes(name),
      schema: propertySchema,
    };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
