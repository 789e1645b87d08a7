// The one error type of the masking module, with a closed list of codes.
//
// A masking session that fails errors its readable side with a MaskingError
// and emits nothing more. The message names the kind of failure and a
// character offset, never a value taken from the trace, so it is safe for
// logs and the audit.

export type MaskingErrorCode =
  /** The body is not valid JSON / NDJSON (or an SSE `data:` payload broke a JSON rule). */
  | 'malformed_json'
  /** The body is not valid UTF-8 (compressed or binary content under a text type). */
  | 'malformed_utf8'
  /** A value exceeded a limit that the profile says to fail on (see `limits`). */
  | 'value_too_large'
  /** JSON nesting deeper than `limits.maxDepth`. */
  | 'nesting_too_deep'
  /** A bug or an unexpected runtime failure (for example WebCrypto). */
  | 'internal';

export class MaskingError extends Error {
  readonly code: MaskingErrorCode;

  constructor(code: MaskingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MaskingError';
    this.code = code;
  }
}

/** Wraps anything thrown inside the masker; MaskingErrors pass unchanged. */
export function toMaskingError(error: unknown): MaskingError {
  if (error instanceof MaskingError) return error;
  return new MaskingError('internal', 'internal masking failure', { cause: error });
}
