// Which adapter masks a body, from its Content-Type and the profile.
//
// Order: the profile's exact media type, then its `type/*` entry, then the
// built-in table, then `otherContentTypes` (unknown, binary or missing
// types). A charset other than UTF-8 is refused whatever the table says: the
// detectors read UTF-8 text, and guessing would let bytes through unread.

export type BodyFormat = 'json' | 'ndjson' | 'sse' | 'text';
export type FormatChoice = BodyFormat | 'passthrough' | 'refuse';

export type FormatDecision =
  | { kind: 'mask'; format: BodyFormat }
  | { kind: 'passthrough' }
  | { kind: 'refuse'; reason: string };

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonl',
  'application/jsonlines',
  'application/x-jsonlines',
]);

const TEXT_TYPES = new Set([
  'application/yaml',
  'application/x-yaml',
  'application/xml',
  'application/javascript',
  'application/x-www-form-urlencoded',
  'application/graphql',
]);

function builtInFormat(mediaType: string): BodyFormat | null {
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/json')
    return 'json';
  if (NDJSON_TYPES.has(mediaType)) return 'ndjson';
  if (mediaType === 'text/event-stream') return 'sse';
  if (mediaType.startsWith('text/') || TEXT_TYPES.has(mediaType) || mediaType.endsWith('+xml'))
    return 'text';
  return null;
}

export function chooseFormat(
  contentType: string | null,
  overrides: ReadonlyMap<string, FormatChoice>,
  other: 'passthrough' | 'refuse',
): FormatDecision {
  const [rawType = '', ...params] = (contentType ?? '').split(';');
  const mediaType = rawType.trim().toLowerCase();
  const choice: FormatChoice | null =
    overrides.get(mediaType) ??
    overrides.get(`${mediaType.split('/')[0] ?? ''}/*`) ??
    (mediaType === '' ? null : builtInFormat(mediaType));
  const decided: FormatChoice = choice ?? other;
  if (decided === 'passthrough') return { kind: 'passthrough' };
  if (decided === 'refuse') {
    return {
      kind: 'refuse',
      reason: `content type ${mediaType === '' ? '(none)' : `"${mediaType}"`} is not masked by this profile`,
    };
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      return { kind: 'refuse', reason: `charset "${charset}" is not supported (UTF-8 only)` };
    }
  }
  return { kind: 'mask', format: decided };
}
