import { existsSync, readFileSync } from 'node:fs';

export interface LogScanResult {
  lines: number;
  /** what was found, by what it is (never the value itself) */
  hits: Map<string, number>;
}

/**
 * Looks through every log line the product wrote during the suite for what must never be there: the
 * callback token and AES key, the app secret, the access tokens WeCom issued, and the plaintext of
 * what customers and salespeople sent — names, phone numbers, message text (each scenario's
 * messages carry a marker), and the statement or parameters of a database write.
 */
export function scanLogs(files: string[], needles: Array<{ what: string; value: string }>): LogScanResult {
  const hits = new Map<string, number>();
  let lines = 0;
  const patterns: Array<{ what: string; test: (line: string) => boolean }> = [
    ...needles.filter((n) => n.value.length >= 2).map((n) => ({ what: n.what, test: (line: string) => line.includes(n.value) })),
    { what: 'message plaintext (PLAINTEXT-K7Q marker)', test: (line) => line.includes('PLAINTEXT-K7Q') },
    { what: 'a phone number from a message', test: (line) => line.includes('13900001111') },
    { what: 'query parameters of a database write', test: (line) => line.includes('"parameters"') },
    { what: 'an SQL statement', test: (line) => /INSERT INTO|UPDATE `|"sql"/.test(line) },
    { what: 'a decrypted callback (XML of a message)', test: (line) => line.includes('<MsgType>') || line.includes('CDATA[') },
  ];
  for (const file of files.filter((f) => existsSync(f))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      lines += 1;
      for (const p of patterns) if (p.test(line)) hits.set(p.what, (hits.get(p.what) ?? 0) + 1);
    }
  }
  return { lines, hits };
}
