// One-line summaries of JSON Schemas for the docs page ("integer 1–100",
// "array of AuditEvent", "string | null"). Pure, and lenient by design: a
// keyword it does not know is left out of the summary, never an error. The
// document itself remains the full truth.
import type { JsonSchema } from './openapi-types.ts';

export type SummaryPart = { text: string } | { ref: string };

const COMPONENT_PREFIX = '#/components/schemas/';

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function literal(value: unknown): string {
  return JSON.stringify(value);
}

function bounds(schema: JsonSchema): string {
  const parts: string[] = [];
  const { minLength, maxLength, pattern, format } = schema;
  // zod bounds every integer by the safe range; that says nothing to a reader.
  const minimum = schema['minimum'] === Number.MIN_SAFE_INTEGER ? undefined : schema['minimum'];
  const maximum = schema['maximum'] === Number.MAX_SAFE_INTEGER ? undefined : schema['maximum'];
  if (typeof minimum === 'number' && typeof maximum === 'number')
    parts.push(`${minimum}–${maximum}`);
  else if (typeof minimum === 'number') parts.push(`≥ ${minimum}`);
  else if (typeof maximum === 'number') parts.push(`≤ ${maximum}`);
  if (typeof minLength === 'number' && typeof maxLength === 'number')
    parts.push(`${minLength}–${maxLength} chars`);
  else if (typeof maxLength === 'number') parts.push(`≤ ${maxLength} chars`);
  else if (typeof minLength === 'number') parts.push(`≥ ${minLength} chars`);
  if (typeof format === 'string') parts.push(format);
  else if (typeof pattern === 'string' && pattern.length <= 40) parts.push(`/${pattern}/`);
  const range = parts.length === 0 ? '' : ` (${parts.join(', ')})`;
  return 'default' in schema ? `${range}, default ${literal(schema['default'])}` : range;
}

/** A short description of `schema`; `$ref`s to components stay links. */
export function summarizeSchema(schema: unknown, depth = 0): SummaryPart[] {
  if (!isSchema(schema) || depth > 4) return [{ text: 'any' }];
  const { $ref } = schema;
  if (typeof $ref === 'string' && $ref.startsWith(COMPONENT_PREFIX)) {
    return [{ ref: $ref.slice(COMPONENT_PREFIX.length) }];
  }
  if ('const' in schema) return [{ text: literal(schema['const']) }];
  if (Array.isArray(schema['enum'])) {
    return [{ text: schema['enum'].map(literal).join(' | ') }];
  }
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    const members = schema[combinator];
    if (Array.isArray(members)) {
      const separator = combinator === 'allOf' ? ' & ' : ' | ';
      return members.flatMap((member, index) => [
        ...(index === 0 ? [] : [{ text: separator }]),
        ...summarizeSchema(member, depth + 1),
      ]);
    }
  }
  const { type } = schema;
  if (Array.isArray(type)) {
    return [{ text: `${type.join(' | ')}${bounds(schema)}` }];
  }
  if (type === 'array')
    return [{ text: 'array of ' }, ...summarizeSchema(schema['items'], depth + 1)];
  if (type === 'object') {
    const properties = isSchema(schema['properties']) ? Object.keys(schema['properties']) : [];
    if (properties.length === 0) {
      const values = schema['additionalProperties'];
      return isSchema(values)
        ? [{ text: 'map of ' }, ...summarizeSchema(values, depth + 1)]
        : [{ text: 'object' }];
    }
    return [{ text: `object { ${properties.join(', ')} }` }];
  }
  if (typeof type === 'string') return [{ text: `${type}${bounds(schema)}` }];
  return [{ text: 'any' }];
}

export interface PropertyRow {
  name: string;
  required: boolean;
  type: SummaryPart[];
  description: string;
}

/** The properties of an object schema (the first alternative's, for a union) as rows. */
export function propertyRows(schema: unknown): PropertyRow[] {
  if (!isSchema(schema)) return [];
  const properties = schema['properties'];
  if (!isSchema(properties)) return [];
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    required: required.includes(name),
    type: summarizeSchema(property),
    description:
      isSchema(property) && typeof property['description'] === 'string'
        ? property['description']
        : '',
  }));
}

/** The alternatives of a union schema (oneOf / anyOf of objects), or the schema alone. */
export function alternatives(schema: unknown): unknown[] {
  if (!isSchema(schema)) return [schema];
  for (const combinator of ['oneOf', 'anyOf'] as const) {
    const members = schema[combinator];
    if (Array.isArray(members) && members.every((m) => isSchema(m) && 'properties' in m)) {
      return members;
    }
  }
  return [schema];
}
