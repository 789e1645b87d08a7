// Where a read names its trace: `namespaces[].resources`.
//
// Most stores put the trace id in the path (`/api/public/traces/:traceId`).
// Some take it from the query (`/api/public/observations?traceId=…`), so a
// resource template may end in one query parameter:
// `/api/public/observations?traceId=:traceId` (a parameter in its path part,
// if any, names the trace too). The policy's `resources` and
// `namesTrace` conditions, trace-scope grants and the audit's `resourceId`
// then see that id too, and a read cannot reach one trace's data through the
// query while the policy takes it for a listing.

export interface ResourceTemplateParts {
  /** The path template (`/api/public/observations`). */
  path: string;
  /** The query parameter holding the trace id, or null when the path holds it. */
  queryName: string | null;
}

/** The query part of a resource template: `name=:param`. */
const QUERY_PART = /^([^\s%&=;#+?]{1,128})=:[A-Za-z][A-Za-z0-9_]*$/;

/** Splits a resource template; null when its query part is not `name=:param`. */
export function splitResourceTemplate(source: string): ResourceTemplateParts | null {
  const at = source.indexOf('?');
  if (at < 0) return { path: source, queryName: null };
  const query = QUERY_PART.exec(source.slice(at + 1));
  if (query?.[1] === undefined) return null;
  return { path: source.slice(0, at), queryName: query[1] };
}
