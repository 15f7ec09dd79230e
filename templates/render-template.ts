/**
 * Fills the `{field}` placeholders of a text an operator wrote (welcome texts in channel-rules.json,
 * SOP steps in sops.json) so that a value not known yet never leaves a gap: 「您好{name}，我是{staff}，
 * 很高兴为您服务！」 without a salesperson's name reads 「您好刘洋，很高兴为您服务！」, not 「您好刘洋，我是，
 * 很高兴为您服务！」. Pure.
 *
 * A field with no value (null, undefined, blank) takes its `fallbacks` word when one is given (an SOP
 * step's {name} → 客户); otherwise the clause holding it — the text between two punctuation marks —
 * is left out with its mark, and a sentence that loses its last clause ends where the clause before
 * it ends (「很高兴认识您，我是{staff}。」 → 「很高兴认识您。」). A greeting clause keeps its greeting
 * (「您好{name}，…」 → 「您好，…」).
 */
export type TemplateValues = Record<string, string | null | undefined>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
/** What separates clauses; the terminal ones end a sentence. */
const MARKS = /([，,、；;。.！!？?～~\n]+)/;
const TERMINAL = /[。.！!？?～~\n]/;
const GREETING = /^\s*(您好|你好|嗨|哈喽|hi|hello|hey|dear)\s*$/i;

export function isBlank(value: string | null | undefined): value is null | undefined | '' {
  return value === null || value === undefined || value.trim() === '';
}

export function renderTemplate(template: string, values: TemplateValues, fallbacks: Record<string, string> = {}): string {
  // A placeholder the caller does not fill ({other}) is text, left as written.
  const known = (field: string) => Object.hasOwn(values, field) || Object.hasOwn(fallbacks, field);
  const fieldValue = (field: string): string | null => {
    const value = values[field];
    if (!isBlank(value)) return value.trim();
    return fallbacks[field] ?? null;
  };
  const pieces = template.split(MARKS);
  // pieces: clause, marks, clause, marks, …, clause (marks at odd indexes)
  const kept: Array<{ clause: string; marks: string }> = [];
  for (let i = 0; i < pieces.length; i += 2) {
    const raw = pieces[i]!;
    const marks = pieces[i + 1] ?? '';
    const missing = [...raw.matchAll(PLACEHOLDER)].some((m) => known(m[1]!) && fieldValue(m[1]!) === null);
    const filled = raw.replace(PLACEHOLDER, (whole, field: string) => (known(field) ? (fieldValue(field) ?? '') : whole));
    if (!missing) {
      kept.push({ clause: filled, marks });
      continue;
    }
    if (kept.length === 0 && GREETING.test(filled)) {
      kept.push({ clause: filled.trim(), marks });
      continue;
    }
    // Left out: the sentence it ended now ends with the clause before it.
    const previous = kept[kept.length - 1];
    if (previous && !TERMINAL.test(previous.marks) && (TERMINAL.test(marks) || i + 2 >= pieces.length)) previous.marks = marks;
  }
  return kept
    .map((k) => k.clause + k.marks)
    .join('')
    .replace(/^[，,、；;\s]+/, '')
    .trim();
}
