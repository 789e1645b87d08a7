// The part of OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.1) this
// gateway's document uses, as types. Schema Objects are JSON Schema 2020-12
// (OpenAPI 3.1 §4.8.24), produced by zod, so they stay an open record here.

export type JsonSchema = { [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch';

export const HTTP_METHODS: readonly HttpMethod[] = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
];

export interface HeaderObject {
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Reference>;
  content?: Record<string, MediaTypeObject>;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface RequestBodyObject {
  description?: string;
  required?: boolean;
  content: Record<string, MediaTypeObject>;
}

/** Scheme name → scopes (none for HTTP bearer). `{}` alone means "no authentication". */
export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: SecurityRequirement[];
  parameters?: (ParameterObject | Reference)[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | Reference>;
}

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>>;

export interface SecuritySchemeObject {
  type: 'http' | 'apiKey';
  description?: string;
  scheme?: string;
  bearerFormat?: string;
  name?: string;
  in?: 'cookie' | 'header' | 'query';
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; summary?: string; description?: string };
  jsonSchemaDialect: string;
  servers: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  security: SecurityRequirement[];
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    headers: Record<string, HeaderObject>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, SecuritySchemeObject>;
  };
}

/** One operation and where it lives: the unit the operation tables are made of. */
export interface DocumentedRoute {
  method: HttpMethod;
  /** OpenAPI path template (`{id}`, not Hono's `:id`). */
  path: string;
  operation: OperationObject;
}
