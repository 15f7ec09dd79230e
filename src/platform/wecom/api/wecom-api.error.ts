/**
 * An error from a WeCom server API call. `errcode` is WeCom's own code, or null when WeCom never
 * answered with one (network failure, timeout, an HTTP 5xx or a body that is not JSON).
 * Messages never carry the access token or a robot key: they are redacted before they get here.
 */
export class WecomApiError extends Error {
  override readonly name = 'WecomApiError';

  constructor(
    /** the API path, e.g. `message/send` (never the full URL: it carries the token). */
    readonly api: string,
    readonly errcode: number | null,
    readonly errmsg: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
  ) {
    super(`WeCom ${api} failed: ${errcode === null ? 'no errcode' : `errcode ${errcode}`} ${errmsg}`.trim());
  }

  /** true when the caller should refresh the access token and try once more. */
  get isTokenError(): boolean {
    return this.errcode !== null && TOKEN_ERRCODES.has(this.errcode);
  }
}

/**
 * 40014 invalid token, 42001 expired token: refresh and retry once. 40001 is "invalid secret" in
 * WeCom's list but WxJava treats it as a token error too: one refresh is cheap, a loop is pointless
 * (PROTOCOL.md §5.1), and the client never retries more than once.
 */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** -1 system busy, 45009 frequency limit, 45033 concurrency limit (PROTOCOL.md §5.9). */
export const RETRYABLE_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

export function isRetryableErrcode(errcode: number): boolean {
  return RETRYABLE_ERRCODES.has(errcode);
}

/** Removes credentials that may appear in URLs inside third-party error messages. */
export function redactSecrets(text: string): string {
  return text.replace(/(access_token|corpsecret|key)=[^&\s"')]+/gi, '$1=[redacted]');
}
