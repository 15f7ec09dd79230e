/**
 * Text cut to a varchar column's length, counted as MySQL counts it (characters, i.e. code points,
 * in utf8mb4), with "…" when something was cut. MariaDB refuses a longer value ("Data too long")
 * and SQLite would keep it: both must store the same. For text people type into a fixed column
 * (a reminder's matter, a 勿扰 reason) whose whole is kept elsewhere or is not worth a failure.
 */
export function fitColumn(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}
