// Step 2 of the request path: which namespace serves a path, and which trace
// (resource) it names.
import type { NamespaceConfig } from '../config/schema.ts';
import { compilePathTemplate, type PathTemplate } from './path-template.ts';

export interface Route {
  namespace: NamespaceConfig;
  /** The path below the namespace prefix, always starting with "/". */
  relativePath: string;
  /** The trace id, when one of the namespace's resource templates matches. */
  resourceId: string | null;
}

export interface Router {
  resolve(pathname: string): Route | null;
}

/** Longest-prefix match on whole segments, so "/lf" never serves "/lfx". */
export function createRouter(namespaces: readonly NamespaceConfig[]): Router {
  const entries = namespaces
    .map((namespace) => ({
      namespace,
      resources: namespace.resources.map((t): PathTemplate => compilePathTemplate(t)),
    }))
    .sort((a, b) => b.namespace.pathPrefix.length - a.namespace.pathPrefix.length);

  return {
    resolve(pathname: string): Route | null {
      for (const { namespace, resources } of entries) {
        const prefix = namespace.pathPrefix;
        if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) continue;
        const relativePath = pathname.slice(prefix.length) || '/';
        let resourceId: string | null = null;
        for (const template of resources) {
          const match = template.match(relativePath);
          const first = match === null ? undefined : Object.values(match.params)[0];
          if (first !== undefined) {
            resourceId = first;
            break;
          }
        }
        return { namespace, relativePath, resourceId };
      }
      return null;
    },
  };
}
