import type { FakeWecomState } from './fake-wecom.state';

export interface AreaRequest {
  body: Record<string, unknown>;
  query: Record<string, string | undefined>;
  /** a multipart upload's file (the form field `media`) */
  file?: { filename?: string; contentType?: string; bytes: Buffer };
}

/** One WeCom API path as an area of the fake answers it: throws WecomFault for WeCom's refusals. */
export interface AreaRoute {
  method: 'GET' | 'POST';
  /** the path under cgi-bin, e.g. `externalcontact/get` */
  api: string;
  /** false for the two calls without an access token: gettoken and the robot webhook */
  auth?: boolean;
  /** delivers something to a person: a refusal is shown where it would have arrived (sandbox page) */
  delivers?: boolean;
  /** the body is multipart/form-data (an upload), not JSON */
  multipart?: boolean;
  handle(state: FakeWecomState, request: AreaRequest): Record<string, unknown> | void;
}

/** Cursors WeCom's paging APIs hand back: a position, refused when it is not one. */
export function cursorPosition(cursor: unknown): number | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  const position = Number(cursor);
  return Number.isInteger(position) && position >= 0 ? position : undefined;
}
