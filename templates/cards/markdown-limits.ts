import { CONTENT_LIMITS, utf8Bytes } from '../../src/platform/wecom/limits/wecom-limits';

export { utf8Bytes };

/**
 * WeCom markdown size limits, in UTF-8 bytes (src/wecom/limits/wecom-limits.ts): an app message or an
 * app group chat message takes 2048, a group robot 4096. Longer content is refused, not cut, so
 * templates lay it out to fit (and the outbound queue splits whatever still does not).
 */
export const MARKDOWN_LIMITS = { app: CONTENT_LIMITS.app.markdown, appchat: CONTENT_LIMITS.appchat.markdown, robot: CONTENT_LIMITS.robot.markdown } as const;

/**
 * head + as many body lines as fit + tail, within `maxBytes`. When lines are dropped, a last line says
 * how many, so a reader knows the list is not complete.
 */
export function fitMarkdownLines(head: string, lines: string[], tail: string, maxBytes: number): string {
  const join = (body: string[]) => [head, ...body, tail].filter((s) => s !== '').join('\n');
  if (utf8Bytes(join(lines)) <= maxBytes) return join(lines);
  const kept: string[] = [];
  for (const line of lines) {
    const omitted = lines.length - kept.length - 1;
    if (utf8Bytes(join([...kept, line, `…另有${omitted}条未显示`])) > maxBytes) break;
    kept.push(line);
  }
  return join([...kept, `…另有${lines.length - kept.length}条未显示`]);
}
