// The document is valid OpenAPI 3.1: the published document schema accepts
// it, every schema in it compiles as strict JSON Schema 2020-12, every $ref
// resolves, and the operations are well formed (unique ids, declared path
// parameters, problem codes under the status errors.ts gives them).
import { describe, expect, it } from 'vitest';
import { describeError, ERROR_CODES } from '../http/errors.ts';
import { buildOpenApiDocument } from './document.ts';
import {
  HTTP_METHODS,
  type OperationObject,
  type ParameterObject,
  type Reference,
} from './openapi-types.ts';
import { REQUEST_BODY_SCHEMAS, RESPONSE_SCHEMAS } from './schema-components.ts';
import {
  collectRefs,
  openApiStructureErrors,
  resolvePointer,
  schemaValidator,
} from './test-support.ts';

const doc = buildOpenApiDocument();

function operations(): { method: string; path: string; op: OperationObject }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method];
      return op === undefined ? [] : [{ method, path, op }];
    }),
  );
}

function resolved<T>(item: T | Reference): T {
  if (typeof item === 'object' && item !== null && '$ref' in item) {
    return resolvePointer(doc, item.$ref) as T;
  }
  return item;
}

describe('the OpenAPI document', () => {
  it('is accepted by the OpenAPI 3.1 document schema', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(openApiStructureErrors(JSON.parse(JSON.stringify(doc)))).toEqual([]);
  });

  it('is rejected by that schema when a required member is missing (the check can fail)', () => {
    const withoutInfo: Record<string, unknown> = { ...doc };
    delete withoutInfo['info'];
    expect(openApiStructureErrors(withoutInfo)).not.toEqual([]);
    const broken = structuredClone(doc);
    Reflect.set(broken.paths['/v1/requests']?.get ?? {}, 'responses', 'none');
    expect(openApiStructureErrors(broken)).not.toEqual([]);
  });

  it('has only $refs that resolve inside the document', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    const dangling = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('has component schemas that compile as strict JSON Schema 2020-12', () => {
    const validator = schemaValidator(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => validator.component(name), name).not.toThrow();
    }
  });

  it('has inline response, body and parameter schemas that compile too', () => {
    const validator = schemaValidator(doc);
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      for (const parameter of op.parameters ?? []) {
        expect(
          () => validator.compile(resolved<ParameterObject>(parameter).schema),
          where,
        ).not.toThrow();
      }
      const media = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(resolved(r).content ?? {})),
      ];
      for (const { schema } of media) {
        if (schema !== undefined) expect(() => validator.compile(schema), where).not.toThrow();
      }
    }
  });

  it('names every request-body and answer schema once', () => {
    const bodies = Object.keys(REQUEST_BODY_SCHEMAS);
    const answers = Object.keys(RESPONSE_SCHEMAS);
    expect(bodies.filter((name) => answers.includes(name))).toEqual([]);
    expect(Object.keys(doc.components.schemas).sort()).toEqual([...bodies, ...answers].sort());
  });

  it('has unique operation ids and declares exactly the path parameters of each template', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations()) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? [])
        .map((p) => resolved<ParameterObject>(p))
        .filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(inTemplate.sort());
      expect(declared.every((p) => p.required === true)).toBe(true);
    }
  });

  it('enumerates exactly the closed list of error codes', () => {
    const problem = doc.components.schemas['Problem'];
    expect(resolvePointer(problem, '#/properties/code/enum')).toEqual([...ERROR_CODES]);
  });

  it('lists each problem code under the status errors.ts maps it to', () => {
    let checked = 0;
    for (const { method, path, op } of operations()) {
      for (const [status, item] of Object.entries(op.responses)) {
        const schema = resolved(item).content?.['application/problem+json']?.schema;
        const codes = resolvePointer(schema, '#/properties/code/enum');
        if (status === 'default') continue;
        if (!Array.isArray(codes)) continue;
        for (const code of codes) {
          expect(ERROR_CODES, `${method} ${path}`).toContain(code);
          expect(describeError(code as (typeof ERROR_CODES)[number]).status).toBe(Number(status));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('gives every operation a summary, a tag, security and a default problem answer', () => {
    const tags = doc.tags.map((t) => t.name);
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.summary.length, where).toBeGreaterThan(0);
      expect(
        op.tags.every((tag) => tags.includes(tag)),
        where,
      ).toBe(true);
      expect(op.security, where).toBeDefined();
      if (op.tags.includes('Pages') || op.tags.includes('Meta')) continue;
      expect(op.responses['default'], where).toEqual({ $ref: '#/components/responses/Problem' });
    }
  });
});
