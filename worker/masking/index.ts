// Masking of trace bodies on the read path (step 7 of ARCHITECTURE.md).
//
//   const masker = createMasker(profile, response.headers.get('content-type'), { hmacKey });
//   if (masker === null)      → serve the body unchanged (the profile passes this type through)
//   if ('refuse' in masker)   → refuse the read (masker.reason, for logs/audit)
//   body.pipeThrough(masker)  → masked bytes; masker.counts() for the audit
//
// The session is a TransformStream: bytes → UTF-8 text (a character split
// across chunks is carried by the decoder) → the format adapter, which is
// synchronous and writes masked text and keyed-hash tokens → tokens resolved
// with WebCrypto → UTF-8 bytes. Failure is closed: any error (malformed
// input, a limit, a bug) errors the readable side with a MaskingError and no
// byte of that chunk or any later one is written. Only Web-standard APIs are
// used, so the same code runs in workerd and in Node (the bench).
import { chooseFormat, type BodyFormat } from './content-type.ts';
import { compileProfile, type CompiledProfile } from './compile-profile.ts';
import { MaskingError, toMaskingError } from './errors.ts';
import { TextMasker } from './format-text.ts';
import { SseMasker } from './format-sse.ts';
import { HashTokenResolver } from './hash-tokens.ts';
import { JsonMasker } from './json-masker.ts';
import { MaskOutput, type MaskSink } from './output.ts';
import type { MaskingProfile } from './profile-schema.ts';

export { MaskingError, type MaskingErrorCode } from './errors.ts';
export { hmacKeyFromSecret } from './hash-tokens.ts';
export { maskingProfileSchema, type MaskingProfile } from './profile-schema.ts';
export { BUILT_IN_ENTITIES } from './detectors/catalog.ts';

export interface MaskingSession {
  /** Masked output. */
  readable: ReadableStream<Uint8Array>;
  /** Raw input. */
  writable: WritableStream<Uint8Array>;
  /** Masked items per entity type, for what has been written out so far. Never values. */
  counts(): Record<string, number>;
}

export interface MaskerOptions {
  /** Required when the profile hashes or pseudonymises (see hmacKeyFromSecret). */
  hmacKey?: CryptoKey | null;
  /**
   * Default true. False turns the masker's shortcuts off (MaskEngine.shortcuts):
   * slower, same output. For tests that check exactly that, and for diagnosis.
   */
  shortcuts?: boolean;
}

interface FormatAdapter {
  push(text: string, sink: MaskSink): void;
  end(sink: MaskSink): void;
}

function createAdapter(compiled: CompiledProfile, format: BodyFormat): FormatAdapter {
  switch (format) {
    case 'json':
      return new JsonMasker(compiled.engine, { multiDocument: false });
    case 'ndjson':
      return new JsonMasker(compiled.engine, { multiDocument: true });
    case 'sse':
      return new SseMasker(compiled.engine, compiled.maxEventChars);
    case 'text':
      return new TextMasker(compiled.engine);
  }
}

/**
 * A masking session for one body, or null (pass through unchanged), or a
 * refusal. Throws TypeError when the profile needs an HMAC key and none is given.
 */
export function createMasker(
  profile: MaskingProfile,
  contentType: string | null,
  options: MaskerOptions = {},
): MaskingSession | { refuse: true; reason: string } | null {
  const compiled = compileProfile(profile);
  const decision = chooseFormat(contentType, compiled.contentTypes, compiled.otherContentTypes);
  if (decision.kind === 'passthrough') return null;
  if (decision.kind === 'refuse') return { refuse: true, reason: decision.reason };
  const hmacKey = options.hmacKey ?? null;
  if (compiled.engine.needsHmacKey && hmacKey === null) {
    throw new TypeError(
      'this masking profile hashes values: pass options.hmacKey (hmacKeyFromSecret)',
    );
  }
  const thorough =
    options.shortcuts === false
      ? {
          ...compiled,
          engine: { ...compiled.engine, shortcuts: false, cleanKeys: new Set<string>() },
        }
      : compiled;
  return createSession(createAdapter(thorough, decision.format), hmacKey);
}

function createSession(adapter: FormatAdapter, hmacKey: CryptoKey | null): MaskingSession {
  const counts = new Map<string, number>();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const encoder = new TextEncoder();
  const resolver = new HashTokenResolver(hmacKey);
  let pendingHigh = '';

  const decode = (chunk: Uint8Array | undefined): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw new MaskingError('malformed_utf8', 'the body is not valid UTF-8', { cause: error });
    }
  };

  const emit = async (
    output: MaskOutput,
    controller: TransformStreamDefaultController<Uint8Array>,
  ) => {
    const hasTokens = output.hasTokens;
    const parts = output.take();
    let text = hasTokens ? await resolver.render(parts) : parts.join('');
    // Never encode half of a surrogate pair: hold a trailing high surrogate for the next chunk.
    text = pendingHigh + text;
    pendingHigh = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      pendingHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    for (const [entity, n] of output.counts) counts.set(entity, (counts.get(entity) ?? 0) + n);
    output.counts.clear();
    if (text.length > 0) controller.enqueue(encoder.encode(text));
  };

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      try {
        if (!(chunk instanceof Uint8Array))
          throw new MaskingError('internal', 'the body stream must carry Uint8Array chunks');
        const output = new MaskOutput();
        adapter.push(decode(chunk), output);
        await emit(output, controller);
      } catch (error) {
        throw toMaskingError(error);
      }
    },
    async flush(controller) {
      try {
        const output = new MaskOutput();
        const rest = decode(undefined);
        if (rest !== '') adapter.push(rest, output);
        adapter.end(output);
        await emit(output, controller);
        if (pendingHigh !== '') controller.enqueue(encoder.encode(pendingHigh));
      } catch (error) {
        throw toMaskingError(error);
      }
    },
  });

  return {
    readable: stream.readable,
    writable: stream.writable,
    counts: () => Object.fromEntries(counts),
  };
}
