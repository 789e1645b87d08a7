// Reads a small application/x-www-form-urlencoded body, as the review forms
// send it. Anything else (another content type, a body over the limit) is
// refused unread beyond the limit, so a form post cannot make the gateway
// buffer megabytes.

export const MAX_FORM_BYTES = 16 * 1024;

/** The form fields (first value of each), or undefined when the body is not a small urlencoded form. */
export async function readFormBody(request: Request): Promise<Record<string, string> | undefined> {
  const type = request.headers.get('content-type') ?? '';
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    return undefined;
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (!Number.isFinite(declared) || declared > MAX_FORM_BYTES) return undefined;
  const body = await readLimited(request, MAX_FORM_BYTES);
  if (body === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (!Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}

async function readLimited(request: Request, limit: number): Promise<string | undefined> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
