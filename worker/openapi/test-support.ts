// Test-only: JSON Schema validation of the document's schemas with Ajv
// (draft 2020-12, strict mode, formats checked), and the OpenAPI 3.1
// document schema as published by the OpenAPI Initiative (the copy that
// @seriousme/openapi-schema-validator ships, whose own loader reads files with
// node:fs and so cannot run in workerd). Never imported by the Worker.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import oas31DocumentSchema from '@seriousme/openapi-schema-validator/schemas/v3.1/schema.json';
import type { JsonSchema, OpenApiDocument } from './openapi-types.ts';

const COMPONENT_PREFIX = '#/components/schemas/';

/** Deep copy with `#/components/schemas/X` refs pointed at `#/$defs/X`. */
function toDefsRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDefsRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENT_PREFIX)
        ? `#/$defs/${inner.slice(COMPONENT_PREFIX.length)}`
        : toDefsRefs(inner),
    ]),
  );
}

/** Compiles schemas of `doc` (components or inline ones) in strict mode. */
export function schemaValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const defs = toDefsRefs(doc.components.schemas);
  return {
    compile(schema: JsonSchema): ValidateFunction {
      const root = toDefsRefs(schema);
      return ajv.compile({ ...(typeof root === 'object' ? root : {}), $defs: defs });
    },
    component(name: string): ValidateFunction {
      return this.compile({ $ref: `${COMPONENT_PREFIX}${name}` });
    },
  };
}

/** The document checked against the OpenAPI 3.1 document schema; the errors, or []. */
export function openApiStructureErrors(doc: unknown): string[] {
  // The published schema is not written for Ajv's strict mode.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(oas31DocumentSchema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Every `$ref` in `value`, with where it was found. */
export function collectRefs(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => collectRefs(item, `${at}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string'
      ? [{ ref: inner, at }]
      : collectRefs(inner, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

/** Resolves a local JSON pointer (`#/a/b`) in `root`; undefined when it points nowhere. */
export function resolvePointer(root: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = Reflect.get(current, key);
  }
  return current;
}
