import { describe, expect, it } from 'vitest';
import { namespaceSchema } from '../config/schema.ts';
import { compilePathTemplate } from './path-template.ts';
import { createRouter } from './resolve-route.ts';

const ns = (id: string, pathPrefix: string, resources: string[] = []) =>
  namespaceSchema.parse({
    id,
    pathPrefix,
    upstream: { origin: 'http://origin.test' },
    resources,
    policy: { rules: [] },
  });

describe('path templates', () => {
  it('captures one decoded segment per parameter', () => {
    expect(compilePathTemplate('/traces/:id').match('/traces/a%20b')).toEqual({
      params: { id: 'a b' },
    });
  });
  it('never lets an encoded slash act as a separator', () => {
    expect(compilePathTemplate('/traces/:id').match('/traces/a%2Fb')).toEqual({
      params: { id: 'a/b' },
    });
    expect(compilePathTemplate('/traces/:id/raw').match('/traces/a%2Fraw')).toBeNull();
  });
  it('matches literal segments whatever their case, and keeps the case of parameters', () => {
    expect(compilePathTemplate('/api/public/traces/:id').match('/API/Public/TRACES/AbC')).toEqual({
      params: { id: 'AbC' },
    });
    expect(compilePathTemplate('/API/traces').match('/api/traces')).not.toBeNull();
  });
  it('matches the rest of the path with a final star', () => {
    expect(compilePathTemplate('/otlp/*').match('/otlp/v1/traces/x')).not.toBeNull();
    expect(compilePathTemplate('/otlp/*').match('/other')).toBeNull();
  });
  it('refuses paths with broken percent-encoding', () => {
    expect(compilePathTemplate('/traces/:id').match('/traces/%E0%A4%A')).toBeNull();
  });
});

describe('createRouter', () => {
  const router = createRouter([
    ns('lf', '/lf', ['/api/public/traces/:traceId']),
    ns('lf-eu', '/lf/eu', ['/api/public/traces/:traceId']),
  ]);

  it('picks the longest prefix on whole segments', () => {
    expect(router.resolve('/lf/eu/api/public/traces/t9')).toMatchObject({
      namespace: { id: 'lf-eu' },
      relativePath: '/api/public/traces/t9',
      resourceId: 't9',
    });
    expect(router.resolve('/lf/api/public/traces/t1')?.namespace.id).toBe('lf');
    expect(router.resolve('/lfx/api/public/traces/t1')).toBeNull();
    expect(router.resolve('/unknown')).toBeNull();
  });

  it('has no resource id for paths outside the resource templates', () => {
    expect(router.resolve('/lf/api/public/traces')).toMatchObject({ resourceId: null });
    expect(router.resolve('/lf')).toMatchObject({ relativePath: '/', resourceId: null });
  });
});
