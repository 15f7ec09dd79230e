/**
 * WeCom markdown size limits, in UTF-8 bytes (PROTOCOL.md §5.6–5.8): an app message or an app group
 * chat message takes 2048, a group robot 4096. Longer content is rejected, not cut, so we cut first.
 */
export const MARKDOWN_LIMITS = { app: 2048, appchat: 2048, robot: 4096 } as const;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

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
