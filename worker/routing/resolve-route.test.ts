import { describe, expect, it } from 'vitest';
import { namespaceSchema } from '../config/schema.ts';
import { compilePathTemplate } from './path-template.ts';
import { createRouter, resourceFromQuery, type Route } from './resolve-route.ts';

const ns = (id: string, pathPrefix: string, resources: string[] = []) =>
  namespaceSchema.parse({
    id,
    pathPrefix,
    upstream: { origin: 'http://origin.test' },
    resources,
    query: { allow: '*' },
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

describe('a trace id in the query', () => {
  const router = createRouter([
    ns('lf', '/lf', [
      '/api/public/traces/:traceId',
      '/api/public/observations?traceId=:traceId',
      '/api/public/traces/:traceId/scores?traceId=:traceId',
    ]),
  ]);
  const route = (path: string): Route => {
    const found = router.resolve(path);
    if (found === null) throw new Error(`no route for ${path}`);
    return found;
  };
  const resolve = (path: string, search: string) => {
    const resolved = resourceFromQuery(route(path), search);
    return resolved.ok ? { resourceId: resolved.route.resourceId } : { refused: resolved.reason };
  };

  it('names the parameters that hold the trace id on each path', () => {
    expect(route('/lf/api/public/observations')).toMatchObject({
      resourceId: null,
      resourceParams: ['traceId'],
    });
    expect(route('/lf/API/public/observations/')).toMatchObject({ resourceParams: ['traceId'] });
    expect(route('/lf/api/public/traces/t1')).toMatchObject({
      resourceId: 't1',
      resourceParams: [],
    });
    expect(route('/lf/api/public/traces/t1/scores')).toMatchObject({
      resourceId: 't1',
      resourceParams: ['traceId'],
    });
  });

  it('takes the trace id from the query, decoded as the store is sent it', () => {
    expect(resolve('/lf/api/public/observations', '?traceId=t1&page=2')).toEqual({
      resourceId: 't1',
    });
    expect(resolve('/lf/api/public/observations', '?traceId=a%20b')).toEqual({
      resourceId: 'a b',
    });
    expect(resolve('/lf/api/public/observations', '?traceId=t1&traceId=t1')).toEqual({
      resourceId: 't1',
    });
    expect(resolve('/lf/api/public/traces/t1/scores', '?traceId=t1')).toEqual({
      resourceId: 't1',
    });
  });

  it('names no trace when the parameter is absent: a listing', () => {
    expect(resolve('/lf/api/public/observations', '')).toEqual({ resourceId: null });
    expect(resolve('/lf/api/public/observations', '?page=2')).toEqual({ resourceId: null });
  });

  it('refuses a read whose path and query, or two values, name different traces', () => {
    for (const [path, search] of [
      ['/lf/api/public/observations', '?traceId=t1&traceId=t2'],
      ['/lf/api/public/traces/t1/scores', '?traceId=t2'],
    ] as const) {
      expect(resolve(path, search)).toEqual({ refused: 'the read names more than one trace' });
    }
  });

  it('refuses an empty id, which a store may read as any trace', () => {
    expect(resolve('/lf/api/public/observations', '?traceId=')).toEqual({
      refused: 'query parameter "traceId" names no trace',
    });
  });

  it('refuses the parameter on a path where it does not name the trace', () => {
    // The policy sees t1; a store could read traceId=t2 on this path too.
    expect(resolve('/lf/api/public/traces/t1', '?traceId=t2')).toEqual({
      refused: 'query parameter "traceId" names a trace on other paths, not on this one',
    });
    expect(resolve('/lf/api/public/sessions', '?traceId=t2')).toMatchObject({
      refused: expect.stringMatching(/not on this one/),
    });
  });

  it('refuses a parameter a store could read as it: another case or Unicode form', () => {
    for (const path of ['/lf/api/public/observations', '/lf/api/public/sessions']) {
      // Upper case, the dotless ı (upper-cases to I), a fullwidth ｔ (NFKC: t).
      for (const name of ['TraceID', 'trace\u0131d', '\uff54raceId']) {
        expect(resolve(path, `?${encodeURIComponent(name)}=t2`)).toEqual({
          refused: `query parameter ${JSON.stringify(name)} could be read as "traceId"`,
        });
      }
    }
    // Letters that only look alike are other names: a store cannot read them as traceId.
    expect(resolve('/lf/api/public/observations', '?tr%D0%B0ceId=t2')).toEqual({
      resourceId: null,
    });
  });

  it('leaves namespaces without query resources alone', () => {
    const plain = createRouter([ns('otlp', '/otlp', ['/v1/traces/:traceId'])]);
    const found = plain.resolve('/otlp/v1/traces/t1');
    expect(found && resourceFromQuery(found, '?traceId=t2')).toMatchObject({
      ok: true,
      route: { resourceId: 't1' },
    });
  });
});
