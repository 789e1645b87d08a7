// Where masked output goes before it is encoded: an ordered list of text
// pieces and keyed-hash tokens, plus the counts of what was masked.
//
// Keyed hashes need WebCrypto, which is asynchronous; the masker itself is
// synchronous (fast, and simple to reason about for chunk-independence). So
// a hash is left as a token in the parts list and resolved per chunk by the
// session before encoding. A token renders as `[ENTITY:hex]`, characters that
// need no JSON escaping, so it can sit inside any number of JSON string
// layers unchanged.

export interface HashToken {
  readonly entity: string;
  readonly value: string;
  readonly hexLength: number;
}

export interface MaskSink {
  text(piece: string): void;
  token(token: HashToken): void;
  count(entity: string): void;
}

export class MaskOutput implements MaskSink {
  parts: (string | HashToken)[] = [];
  counts = new Map<string, number>();
  replacements = 0;
  hasTokens = false;

  text(piece: string): void {
    if (piece.length > 0) this.parts.push(piece);
  }

  token(token: HashToken): void {
    this.hasTokens = true;
    this.parts.push(token);
  }

  count(entity: string): void {
    this.replacements++;
    this.counts.set(entity, (this.counts.get(entity) ?? 0) + 1);
  }

  /** Moves this output's parts and counts into `sink`, JSON-escaping text when `escape`. */
  drainInto(sink: MaskSink, escape: boolean): void {
    const target = escape ? new JsonStringSink(sink) : sink;
    for (const part of this.parts) {
      if (typeof part === 'string') target.text(part);
      else target.token(part);
    }
    if (target instanceof JsonStringSink) target.flush();
    for (const [entity, n] of this.counts) for (let i = 0; i < n; i++) sink.count(entity);
    this.parts = [];
    this.counts = new Map();
  }

  /** Takes the parts collected so far (the session resolves tokens and encodes them). */
  take(): (string | HashToken)[] {
    const parts = this.parts;
    this.parts = [];
    this.hasTokens = false;
    return parts;
  }
}

/** Escapes text for the inside of a JSON string literal, whatever the piece boundaries. */
export class JsonStringSink implements MaskSink {
  private readonly inner: MaskSink;
  /** A high surrogate held back so a pair split across pieces is not escaped as two halves. */
  private pendingHigh = '';

  constructor(inner: MaskSink) {
    this.inner = inner;
  }

  text(piece: string): void {
    if (piece.length === 0) return;
    let text = this.pendingHigh + piece;
    this.pendingHigh = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.pendingHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text.length > 0) this.inner.text(escapeJsonStringContent(text));
  }

  token(token: HashToken): void {
    this.flush();
    this.inner.token(token);
  }

  count(entity: string): void {
    this.inner.count(entity);
  }

  flush(): void {
    if (this.pendingHigh !== '') this.inner.text(escapeJsonStringContent(this.pendingHigh));
    this.pendingHigh = '';
  }
}

// eslint-disable-next-line no-control-regex -- RFC 8259 §7: control characters must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function escapeJsonStringContent(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  const quoted = JSON.stringify(text);
  return quoted.slice(1, quoted.length - 1);
}

/** Forwards to a target that can change between chunks (the chunk's own output). */
export class ForwardingSink implements MaskSink {
  target: MaskSink;

  constructor(target: MaskSink) {
    this.target = target;
  }

  text(piece: string): void {
    this.target.text(piece);
  }

  token(token: HashToken): void {
    this.target.token(token);
  }

  count(entity: string): void {
    this.target.count(entity);
  }
}
