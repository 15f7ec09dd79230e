/** Message types WeCom delivers to an app besides text (PROTOCOL.md §4.1); `file` where clients send one. */
export const NON_TEXT_KINDS = ['image', 'voice', 'video', 'file', 'location', 'link'] as const;
export type NonTextKind = (typeof NON_TEXT_KINDS)[number];

const NAMES: Record<NonTextKind, string> = { image: '图片', voice: '语音', video: '视频', file: '文件', location: '位置', link: '链接' };

const EXAMPLE = '记录跟进 张三 电话沟通了报价，下周二再联系';

const short = (text: unknown, max: number) => {
  const chars = Array.from(
    String(text ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
};

/**
 * What the app answers a voice, image, file, video, location or link message: the bot reads only
 * text, so it says so and what to type instead, rather than staying silent. A location or a link
 * gets an example that writes it down as a follow-up.
 */
export function nonTextHint(kind: NonTextKind, payload: Record<string, unknown>): string {
  const help = '发送「帮助」查看全部命令。';
  if (kind === 'location') {
    const place = short(payload.Label, 30);
    return `暂不支持位置消息。拜访客户可以这样记：记录跟进 张三 上门拜访${place ? `（${place}）` : ''}；${help}`;
  }
  if (kind === 'link') {
    const title = short(payload.Title, 30);
    return `暂不支持链接消息。给客户发了资料可以这样记：记录跟进 张三 发了${title ? `《${title}》` : '资料链接'}；${help}`;
  }
  return `暂不支持${NAMES[kind]}，请输入文字命令，例如：${EXAMPLE}；${help}`;
}
