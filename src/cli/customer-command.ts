import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Container } from '../container';
import { erasureCountsText } from '../modules/personal-data';
import { createPersonalDataService } from '../personal-data-service';

/** Exit codes: 0 done (or nothing left to erase), 1 usage or refusal, 2 a name matches several customers, 3 no such customer. */
export const EXIT = { ok: 0, usage: 1, ambiguous: 2, unknown: 3 } as const;

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** asks a yes/no question (the terminal); answers true for yes */
  confirm: (question: string) => Promise<boolean>;
}

const USAGE = [
  '用法：',
  '  npm run customer -- export <external_userid | 名称> [--out 文件.json]',
  '  npm run customer -- erase <external_userid | 名称> [--dry-run] [--yes]',
  '  （--actor 名字：记在操作记录里的执行人，默认当前系统用户）',
].join('\n');

/** Who ran the command, for the audit trail: the operator's login on this machine unless they say otherwise. */
function operator(given: string | undefined): string {
  if (given) return given.toLowerCase().slice(0, 64);
  try {
    return `cli:${userInfo().username}`.slice(0, 64);
  } catch {
    return 'cli';
  }
}

/** `npm run customer -- export|erase …` on a container; answers the exit code. */
export async function runCustomerCommand(container: Container, argv: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  const ref = rest.join(' ').trim();
  if ((action !== 'export' && action !== 'erase') || !ref) {
    io.err(USAGE);
    return EXIT.usage;
  }
  const service = createPersonalDataService(container);
  const actor = operator(values.actor);
  const resolved = await service.resolve(ref);
  if (resolved.kind === 'erased' && action === 'erase') {
    io.out(resolved.message);
    return EXIT.ok;
  }
  if (resolved.kind !== 'found') {
    io.err(resolved.message);
    return resolved.kind === 'ambiguous' ? EXIT.ambiguous : EXIT.unknown;
  }
  const customer = resolved.customer;

  if (action === 'export') {
    const { document, summary } = await service.export(customer, { actor, via: 'cli' });
    const out = values.out ?? `customer-${customer.id}-export.json`;
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    io.out(`${summary}\n已导出到 ${out}（含个人信息，请妥善保管）`);
    return EXIT.ok;
  }

  const plan = await service.erase(customer, { actor, via: 'cli', dryRun: true });
  if (plan.kind === 'already_erased') {
    io.out(`客户「${ref}」的个人信息已删除过。`);
    return EXIT.ok;
  }
  io.out(`将删除或匿名化客户 ${customer.name}（${customer.externalUserid ?? '无 external_userid'}）的以下数据：\n${erasureCountsText(plan.counts)}`);
  if (values['dry-run']) {
    io.out('（--dry-run：未做任何改动）');
    return EXIT.ok;
  }
  if (!values.yes && !(await io.confirm('确认删除？此操作不可恢复 [y/N] '))) {
    io.err('已取消，未做任何改动。');
    return EXIT.usage;
  }
  const result = await service.erase(customer, { actor, via: 'cli' });
  if (result.kind === 'already_erased') io.out('客户的个人信息已删除过。');
  else io.out(`已删除。操作记录编号（不可还原为客户身份）：${result.reference}`);
  return EXIT.ok;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, actor: { type: 'string' } },
  });
}
