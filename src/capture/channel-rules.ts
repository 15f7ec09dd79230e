import { z } from 'zod';
import { CUSTOMER_STAGES, type CustomerStage } from '../../entities';
import { parseDefinitions, readJsonFile } from '../definitions-file';

/**
 * Channel rules (渠道活码): a customer's `State` (from the QR code they scanned) decides the tags,
 * the starting stage, the welcome text and the SOPs. Defined in templates/channel-rules.json so
 * operations can edit them; validated once at startup with every problem listed.
 */
const tagSchema = z.object({
  /** the WeCom tag group; created in WeCom when missing */
  group: z.string().min(1).max(30),
  name: z.string().min(1).max(30),
  /** a local tag only: WeCom's corp tag quota is limited */
  local: z.boolean().default(false),
});

const ruleSchema = z.object({
  name: z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, _ or -'),
  match: z.union([z.object({ exact: z.string().min(1).max(30) }).strict(), z.object({ prefix: z.string().min(1).max(30) }).strict()], {
    error: 'must be { "exact": "<state>" } or { "prefix": "<state prefix>" } (1-30 characters)',
  }),
  tags: z.array(tagSchema).default([]),
  stage: z.enum(CUSTOMER_STAGES).optional(),
  /** {name} = the customer's WeChat name, {staff} = the salesperson's name; ≤ 4000 bytes (WeCom) */
  welcome: z.string().max(1300).optional(),
  sops: z.array(z.string().min(1)).default([]),
});

export const channelRulesSchema = z
  .object({
    rules: z.array(ruleSchema),
    default: z.object({ welcome: z.string().max(1300).optional() }).default({}),
  })
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (names.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name "${rule.name}"` });
      names.add(rule.name);
    });
  });

export type ChannelRulesFile = z.infer<typeof channelRulesSchema>;
export type ChannelRule = ChannelRulesFile['rules'][number];
export type RuleTag = ChannelRule['tags'][number];

export interface ChannelMatch {
  rule: ChannelRule | undefined;
  welcome: string | undefined;
  stage: CustomerStage | undefined;
}

export class ChannelRules {
  constructor(readonly file: ChannelRulesFile) {}

  /** An exact match wins over prefixes; among prefixes the longest wins (live-vip- before live-). */
  match(state: string | null | undefined): ChannelMatch {
    const s = state ?? '';
    const exact = s ? this.file.rules.find((r) => 'exact' in r.match && r.match.exact === s) : undefined;
    const prefix = s
      ? this.file.rules
          .filter((r) => 'prefix' in r.match && s.startsWith(r.match.prefix))
          .sort((a, b) => ('prefix' in b.match ? b.match.prefix.length : 0) - ('prefix' in a.match ? a.match.prefix.length : 0))[0]
      : undefined;
    const rule = exact ?? prefix;
    return { rule, welcome: rule?.welcome ?? this.file.default.welcome, stage: rule?.stage };
  }

  byName(name: string): ChannelRule | undefined {
    return this.file.rules.find((r) => r.name === name);
  }
}

export function parseChannelRules(json: unknown, where = 'channel rules'): ChannelRules {
  return new ChannelRules(parseDefinitions(channelRulesSchema, json, where));
}

export function loadChannelRules(path: string): ChannelRules {
  return parseChannelRules(readJsonFile(path, 'channel rules'), path);
}

/** Fills {name} and {staff}; a missing value leaves no placeholder behind. */
export function renderWelcome(template: string, values: { name?: string | null; staff?: string | null }): string {
  return template.replace(/\{name\}/g, values.name ?? '').replace(/\{staff\}/g, values.staff ?? '');
}
