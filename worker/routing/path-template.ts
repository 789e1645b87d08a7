// Path templates: "/api/public/traces/:traceId", "/otlp/*".
//
// A deliberately small syntax (literal segments, `:name` for one segment, a
// final `*` for the rest) that is easy to audit and cannot be made to
// backtrack. Matching works on decoded segments, so `%2F` inside a segment
// never acts as a separator (read-trace.ts refuses such paths before they
// reach a store: ambiguous-path.ts). Literal segments match whatever their
// case: stores built on Express, IIS and others route case-insensitively, and
// a rule that blocks `/api/public/traces` must also block `/API/public/traces`
// there. Parameters keep the case they were sent in.

export interface PathMatch {
  params: Record<string, string>;
}

type Segment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest' };

export interface PathTemplate {
  source: string;
  match(path: string): PathMatch | null;
}

function splitPath(path: string): string[] | null {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const decoded: string[] = [];
  for (const part of parts) {
    try {
      decoded.push(decodeURIComponent(part));
    } catch {
      return null;
    }
  }
  return decoded;
}

export function compilePathTemplate(source: string): PathTemplate {
  const segments: Segment[] = (splitPath(source) ?? []).map((part) => {
    if (part === '*') return { kind: 'rest' };
    if (part.startsWith(':')) return { kind: 'param', name: part.slice(1) };
    return { kind: 'literal', value: part.toLowerCase() };
  });
  return {
    source,
    match(path: string): PathMatch | null {
      const parts = splitPath(path);
      if (parts === null) return null;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (segment === undefined) return null;
        if (segment.kind === 'rest') return { params };
        const part = parts[i];
        if (part === undefined || part === '') return null;
        if (segment.kind === 'literal' && segment.value !== part.toLowerCase()) return null;
        if (segment.kind === 'param') params[segment.name] = part;
      }
      return parts.length === segments.length ? { params } : null;
    },
  };
}
