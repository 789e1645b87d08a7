// Step 2 of the request path: which namespace serves a path, and which trace
// (resource) it names, in the path or in the query (resource-template.ts).
import type { NamespaceConfig } from '../config/schema.ts';
import { compilePathTemplate, type PathTemplate } from './path-template.ts';
import { splitResourceTemplate } from './resource-template.ts';

export interface Route {
  namespace: NamespaceConfig;
  /** The path below the namespace prefix, always starting with "/". */
  relativePath: string;
  /**
   * The trace id, when one of the namespace's resource templates matches
   * (after resourceFromQuery: also one taken from the query).
   */
  resourceId: string | null;
  /** Query parameters that name the trace on this path (resource templates with a query part). */
  resourceParams: readonly string[];
  /** Query parameters that name the trace on some path of the namespace. */
  namespaceResourceParams: readonly string[];
}

export interface Router {
  resolve(pathname: string): Route | null;
}

interface CompiledResource {
  path: PathTemplate;
  queryName: string | null;
}

function compileResource(source: string): CompiledResource {
  // The configuration was validated (schema.ts): every template splits.
  const parts = splitResourceTemplate(source) ?? { path: source, queryName: null };
  return { path: compilePathTemplate(parts.path), queryName: parts.queryName };
}

/** Longest-prefix match on whole segments, so "/lf" never serves "/lfx". */
export function createRouter(namespaces: readonly NamespaceConfig[]): Router {
  const entries = namespaces
    .map((namespace) => {
      const resources = namespace.resources.map(compileResource);
      const names = resources.flatMap((r) => (r.queryName === null ? [] : [r.queryName]));
      return { namespace, resources, namespaceResourceParams: [...new Set(names)] };
    })
    .sort((a, b) => b.namespace.pathPrefix.length - a.namespace.pathPrefix.length);

  return {
    resolve(pathname: string): Route | null {
      for (const { namespace, resources, namespaceResourceParams } of entries) {
        const prefix = namespace.pathPrefix;
        if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
        const relativePath = pathname.slice(prefix.length) || '/';
        let resourceId: string | null = null;
        const resourceParams: string[] = [];
        for (const { path, queryName } of resources) {
          const match = path.match(relativePath);
          if (match === null) continue;
          if (queryName !== null && !resourceParams.includes(queryName))
            resourceParams.push(queryName);
          // A parameter in the path part of a template with a query names the trace too.
          const first = Object.values(match.params)[0];
          if (first !== undefined && resourceId === null) resourceId = first;
        }
        return { namespace, relativePath, resourceId, resourceParams, namespaceResourceParams };
      }
      return null;
    },
  };
}

export type QueryResource = { ok: true; route: Route } | { ok: false; reason: string };

/**
 * The route with the trace id its query names, from `search`, the query the
 * store is sent (forwarded-query.ts). Refused when the path and the query,
 * or two values, name different traces (a store reads only one of them, and
 * which one differs); when a value is empty (a store may read that as "any
 * trace"); when a parameter that names the trace on another path of the
 * namespace is sent on this one (the policy would not see the trace the
 * store may read from it); or when a parameter differs from such a
 * parameter only in case or Unicode form (a store may match names in any
 * case, through upper case, or after NFKC: `TraceId`, `traceıd`, `ｔraceId`).
 */
export function resourceFromQuery(route: Route, search: string): QueryResource {
  if (search === '') return { ok: true, route };
  const names = route.namespaceResourceParams;
  if (names.length === 0) return { ok: true, route };
  const ids = new Set<string>(route.resourceId === null ? [] : [route.resourceId]);
  for (const [name, value] of new URLSearchParams(search)) {
    const key = looseName(name);
    const param = names.find((p) => looseName(p) === key);
    if (param === undefined) continue;
    const quoted = JSON.stringify(name);
    if (param !== name)
      return refuse(`query parameter ${quoted} could be read as ${JSON.stringify(param)}`);
    if (!route.resourceParams.includes(name))
      return refuse(`query parameter ${quoted} names a trace on other paths, not on this one`);
    if (value === '') return refuse(`query parameter ${quoted} names no trace`);
    ids.add(value);
  }
  if (ids.size > 1) return refuse('the read names more than one trace');
  const [resourceId = null] = ids;
  return { ok: true, route: { ...route, resourceId } };
}

function refuse(reason: string): QueryResource {
  return { ok: false, reason };
}

/** A name as a store that folds case (through upper case) or applies NFKC may compare it. */
function looseName(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase();
}
