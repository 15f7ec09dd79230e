import { z } from 'zod';
import { CUSTOMER_STAGES, type CustomerStage } from '../../../entities';
import { renderTemplate } from '../../../templates/render-template';
import { parseDefinitions, readJsonFile } from '../../platform/definitions-file';
import { NO_CHANNEL_LABEL } from '../../../templates/labels';
import type { ChannelNames } from '../customers';

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
  /** how people see the channel on cards and digests (抖音直播间); the state itself when left out */
  label: z.string().trim().min(1).max(16).optional(),
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

export class ChannelRules implements ChannelNames {
  constructor(readonly file: ChannelRulesFile) {}

  /** The channel as people read it: the rule's label, the state when no rule names it, 直接添加 without one. */
  label(state: string | null | undefined): string {
    const s = (state ?? '').trim();
    if (!s) return NO_CHANNEL_LABEL;
    return this.match(s).rule?.label ?? s;
  }

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

/**
 * Fills {name} and {staff}. A value not known (a salesperson's name before the staff directory has
 * it) leaves out the clause that needed it (templates/render-template.ts): 「您好刘洋，很高兴为您服务！」.
 */
export function renderWelcome(template: string, values: { name?: string | null; staff?: string | null }): string {
  return renderTemplate(template, { name: values.name, staff: values.staff });
}
