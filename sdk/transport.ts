// One HTTP exchange with the gateway: a fresh token, the standard headers, and
// failures turned into TracegateErrors.
//
// The token is asked for on every exchange (a token function can refresh it),
// checked before it goes near a header (a malformed header value makes fetch
// throw an error whose message quotes the value), and remembered only so
// error messages can be scrubbed of it. Requests never follow redirects and
// never leave the gateway's origin: a bearer token must not travel to a URL
// the caller did not configure (a hostile Location header, a 3xx).
import { TracegateError, TracegateNetworkError } from './errors.ts';

export type TokenSource = string | (() => string | Promise<string>);
export type FetchFunction = (
  input: Request | string | URL,
  init?: RequestInit,
) => Promise<Response>;

export interface TransportOptions {
  baseUrl: string | URL;
  token: TokenSource;
  fetch?: FetchFunction;
  userAgent?: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Reported on a network error, so the caller can resume the access request. */
  accessRequestId?: string;
}

export const SDK_USER_AGENT = 'tracegate-sdk/0.1';
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const REMEMBERED_TOKENS = 8;

export class Transport {
  readonly base: URL;
  readonly refreshesToken: boolean;
  readonly #token: TokenSource;
  readonly #fetch: FetchFunction;
  readonly #userAgent: string;
  readonly #seenTokens: string[] = [];

  constructor(options: TransportOptions) {
    let base: URL;
    try {
      base = new URL(String(options.baseUrl));
    } catch {
      throw new TypeError('baseUrl: not an absolute URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError('baseUrl: must be an http: or https: URL');
    }
    if (base.username !== '' || base.password !== '') {
      throw new TypeError('baseUrl: must not carry credentials; pass a token instead');
    }
    if (typeof options.token !== 'string' && typeof options.token !== 'function') {
      throw new TypeError('token: a string or a function that returns one');
    }
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    this.base = base;
    this.#token = options.token;
    this.refreshesToken = typeof options.token === 'function';
    // A detached global fetch throws "Illegal invocation" in Workers: call it through a closure.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#userAgent =
      options.userAgent === undefined ? SDK_USER_AGENT : `${options.userAgent} ${SDK_USER_AGENT}`;
  }

  /** Tokens this client has used, for scrubbing them out of messages. */
  get secrets(): readonly string[] {
    return this.#seenTokens;
  }

  /** A path below the base URL (`/v1/requests`, `/langfuse/api/...`). */
  url(path: string, query?: Record<string, string | undefined>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return url;
  }

  /** Resolves a Location header; refuses one that leaves the gateway's origin. */
  resolveLocation(location: string, requestId: string | undefined): URL {
    let url: URL;
    try {
      url = new URL(location, this.base);
    } catch {
      throw unexpected(`the Location header is not a URL`, requestId);
    }
    if (url.origin !== this.base.origin) {
      throw unexpected(`the Location header points to another origin (${url.origin})`, requestId);
    }
    return url;
  }

  async send(url: URL, options: SendOptions = {}): Promise<Response> {
    const token = await this.#currentToken();
    const headers = new Headers(options.headers);
    headers.set('authorization', `Bearer ${token}`);
    headers.set('user-agent', this.#userAgent);
    if (!headers.has('accept')) headers.set('accept', 'application/json, */*;q=0.5');
    try {
      return await this.#fetch(url, {
        method: options.method ?? 'GET',
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        redirect: 'manual',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new TracegateNetworkError(
        url.origin + url.pathname,
        error,
        this.#seenTokens,
        options.accessRequestId,
      );
    }
  }

  async #currentToken(): Promise<string> {
    let raw: unknown;
    try {
      raw = typeof this.#token === 'string' ? this.#token : await this.#token();
    } catch (error) {
      throw tokenError('the token function failed', error);
    }
    const token = typeof raw === 'string' ? raw.trim() : '';
    if (token === '') throw tokenError('the token function returned no token');
    // Checked here, before fetch sees it, so no error message ever quotes it.
    if (!VISIBLE_ASCII.test(token)) {
      throw tokenError('the token contains characters that cannot go in an HTTP header');
    }
    if (!this.#seenTokens.includes(token)) {
      this.#seenTokens.push(token);
      if (this.#seenTokens.length > REMEMBERED_TOKENS) this.#seenTokens.shift();
    }
    return token;
  }
}

function tokenError(detail: string, cause?: unknown): TracegateError {
  return new TracegateError(
    {
      code: 'token_unavailable',
      status: undefined,
      title: 'No token',
      detail,
      requestId: undefined,
    },
    // The cause is kept for debugging but its text is not part of the message.
    cause === undefined ? {} : { cause },
  );
}

export function unexpected(
  detail: string,
  requestId: string | undefined,
  status?: number,
): TracegateError {
  return new TracegateError({
    code: 'unexpected_response',
    status,
    title: 'Unexpected response',
    detail,
    requestId,
  });
}
