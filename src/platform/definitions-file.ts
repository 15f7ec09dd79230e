import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/**
 * Files operations edit (channel rules, teams, SOPs): JSON, validated once at startup with every
 * problem listed by its field path, so one restart shows all the mistakes.
 */
export function parseDefinitions<S extends z.ZodType>(schema: S, json: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`Invalid ${where}:\n${problems}`);
  }
  return parsed.data;
}

/** `what` names the file for the operator, e.g. "channel rules". */
export function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}
