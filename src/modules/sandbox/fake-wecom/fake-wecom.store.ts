import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeWecomState, WorldSnapshot } from './fake-wecom.state';

/**
 * Keeps the pretend WeCom under the data directory, so that a restart of `npm start` finds the
 * customers its database already knows (otherwise externalcontact/get would answer 84061 for them).
 * Writes are coalesced: at most one every half second, atomically (write then rename).
 */
export function worldFile(dataDir: string): string {
  return join(dataDir, 'sandbox-wecom.json');
}

export function loadWorldSnapshot(dataDir: string): WorldSnapshot | undefined {
  const file = worldFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorldSnapshot;
  } catch {
    // A half-written or hand-edited file: start a fresh pretend company rather than refuse to start.
    return undefined;
  }
}

export function persistWorld(world: FakeWecomState, dataDir: string, delayMs = 500): { flush(): void } {
  const file = worldFile(dataDir);
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Gone (a test's temporary directory removed after it stopped): do not bring it back.
    if (!existsSync(dataDir)) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(world.snapshot()));
    renameSync(`${file}.tmp`, file);
  };
  world.onChange(() => {
    if (timer) return;
    timer = setTimeout(flush, delayMs);
    timer.unref();
  });
  return { flush };
}
