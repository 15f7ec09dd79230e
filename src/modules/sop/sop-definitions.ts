import { z } from 'zod';
import { CUSTOMER_STAGES, type SopTriggerType } from '../../../entities';
import { parseDefinitions, readJsonFile } from '../../platform/definitions-file';
import { parseSopOffset, type SopOffset } from './sop-offset';

/**
 * SOP definitions (templates/sops.json), written by operations: a trigger and timed steps, each with
 * an audience, a message with customer fields and optional conditions. Validated once at worker
 * start; every problem is listed with the file and the field path (sops.0.steps.1.offset).
 */

/** The fields a message may use; anything else in braces is refused at startup. */
export const SOP_MESSAGE_FIELDS = ['name', 'staff', 'stage', 'state', 'tag', 'days', 'silentDays'] as const;

const stage = z.enum(CUSTOMER_STAGES);
const name = z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, _ or - (1-64)');

const trigger = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('customer_added'),
        state: z.string().min(1).max(64).optional(),
        statePrefix: z.string().min(1).max(64).optional(),
        tag: z.string().min(1).max(64).optional(),
      })
      .strict(),
    z.object({ type: z.literal('stage_changed'), to: stage }).strict(),
    z.object({ type: z.literal('tag_added'), tag: z.string().min(1).max(64) }).strict(),
    z.object({ type: z.literal('silent'), days: z.number().int().min(1).max(365) }).strict(),
  ],
  { error: 'type must be customer_added, stage_changed, tag_added or silent' },
);

const conditions = z
  .object({
    /** the step is sent only while the customer is in one of these stages (else: stage_moved) */
    stageIn: z.array(stage).min(1).optional(),
    hasTag: z.string().min(1).optional(),
    lacksTag: z.string().min(1).optional(),
    /** skipped when the salesperson recorded a follow-up after the run started (else: followed_up) */
    noFollowUpSinceStart: z.boolean().optional(),
  })
  .strict();

const step = z
  .object({
    key: name,
    offset: z.string().refine((v) => parseSopOffset(v) !== undefined, 'must look like +0, +30m, +2h, +3d or +1d 10:00'),
    audience: z.enum(['owner', 'team_group'], { error: 'must be owner or team_group' }),
    message: z
      .string()
      .min(1)
      .max(1000)
      .superRefine((text, ctx) => {
        for (const [, field] of text.matchAll(/\{([^{}]*)\}/g)) {
          if (!(SOP_MESSAGE_FIELDS as readonly string[]).includes(field!))
            ctx.addIssue({ code: 'custom', message: `unknown field {${field}}; use ${SOP_MESSAGE_FIELDS.map((f) => `{${f}}`).join(' ')}` });
        }
      }),
    when: conditions.optional(),
  })
  .strict();

const sop = z
  .object({
    name,
    /** shown to salespeople, e.g. 新客户跟进 */
    title: z.string().min(1).max(30),
    enabled: z.boolean().default(true),
    trigger,
    steps: z.array(step).min(1).max(20),
  })
  .strict()
  .superRefine((def, ctx) => {
    const keys = new Set<string>();
    def.steps.forEach((s, i) => {
      if (keys.has(s.key)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'key'], message: `duplicate step key "${s.key}"` });
      keys.add(s.key);
    });
  });

export const sopFileSchema = z
  .object({ sops: z.array(sop) })
  .strict()
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    file.sops.forEach((s, i) => {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sops', i, 'name'], message: `duplicate SOP name "${s.name}"` });
      names.add(s.name);
    });
  });

export type SopFile = z.infer<typeof sopFileSchema>;
export type SopDefinition = SopFile['sops'][number];
export type SopStepDefinition = SopDefinition['steps'][number];
export type SopTrigger = SopDefinition['trigger'];

/** The parsed file, with the offsets read once. */
export class SopDefinitions {
  private readonly offsets = new Map<string, SopOffset>();

  constructor(readonly file: SopFile) {
    for (const def of file.sops) for (const s of def.steps) this.offsets.set(`${def.name}/${s.key}`, parseSopOffset(s.offset)!);
  }

  byName(sopName: string): SopDefinition | undefined {
    return this.file.sops.find((s) => s.name === sopName);
  }

  /** Enabled SOPs with this trigger type. */
  withTrigger<T extends SopTriggerType>(type: T): Array<SopDefinition & { trigger: Extract<SopTrigger, { type: T }> }> {
    return this.file.sops.filter((s) => s.enabled && s.trigger.type === type) as Array<SopDefinition & { trigger: Extract<SopTrigger, { type: T }> }>;
  }

  offsetOf(sopName: string, stepKey: string): SopOffset {
    return this.offsets.get(`${sopName}/${stepKey}`)!;
  }

  /** Names that channel rules refer to but no SOP defines (a typo there would silently start nothing). */
  unknownNames(names: string[]): string[] {
    return names.filter((n) => !this.byName(n));
  }
}

export function parseSopFile(json: unknown, where = 'SOP file'): SopDefinitions {
  return new SopDefinitions(parseDefinitions(sopFileSchema, json, where));
}

export function loadSopFile(path: string): SopDefinitions {
  return parseSopFile(readJsonFile(path, 'SOP file'), `SOP file ${path}`);
}
