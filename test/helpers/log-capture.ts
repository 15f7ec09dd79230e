import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/platform/logger';

/** A real pino logger whose JSON lines are kept in memory, for tests that check what gets logged. */
export interface LogCapture {
  logger: Logger;
  lines(): Array<Record<string, unknown>>;
  text(): string;
  clear(): void;
}

export function captureLogs(level = 'debug'): LogCapture {
  let chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(level, stream);
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      chunks = [];
    },
  };
}
