import { createCommandRouter } from '../../bots/registry';
import { utf8Bytes } from '../../templates/cards/markdown-limits';
import { CONTENT_LIMITS } from '../../src/platform/wecom/limits/wecom-limits';

/** 帮助 is one line per command and must stay one app message: a split list reads as two answers. */
describe('帮助 fits one app message', () => {
  it('lists every command within the 2048 bytes of an app markdown message', async () => {
    const router = createCommandRouter();
    const help = router.commands.find((c) => c.name === '帮助')!;
    const replies: Array<{ kind: string; content?: string }> = [];
    await help.run({ topic: null } as never, { reply: async (r: { kind: string; content?: string }) => void replies.push(r) } as never);
    expect(replies).toHaveLength(1);
    for (const command of router.commands) expect(replies[0]!.content).toContain(`**${command.name}**`);
    expect(utf8Bytes(replies[0]!.content!)).toBeLessThanOrEqual(CONTENT_LIMITS.app.markdown);
  });
});
