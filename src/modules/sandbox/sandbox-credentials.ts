import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WecomCredentials } from '../../config';

/**
 * Local callback credentials for sandbox mode (no WeCom account configured). Generated once and
 * kept under the data directory so that a restart keeps the same Token/EncodingAESKey/CorpID and
 * anything signed with them earlier still verifies. Never used when real credentials are set.
 */
export function ensureSandboxCredentials(dataDir: string): WecomCredentials {
  const file = join(dataDir, 'sandbox-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as WecomCredentials;
  mkdirSync(dataDir, { recursive: true });
  const credentials: WecomCredentials = {
    corpId: `wwsandbox${alphanumeric(9).toLowerCase()}`,
    agentId: '1000002',
    secret: alphanumeric(43),
    token: alphanumeric(32),
    encodingAesKey: alphanumeric(43),
  };
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

function alphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
