import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Rules from ARCHITECTURE.md that are cheap to keep true by scanning the sources. */
const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const productCode = ['src', 'entities', 'bots', 'templates']
  .flatMap((d) => sources(join(ROOT, d)))
  .concat(join(ROOT, 'ormconfig.ts'))
  .map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

const importing = (pattern: RegExp) => productCode.filter((f) => pattern.test(f.text)).map((f) => f.file);

describe('architecture rules', () => {
  it('only src/platform/queue/queues.ts imports Bull, so a move to BullMQ stays in one file', () => {
    expect(importing(/from ['"]bull['"]/)).toEqual(['src/platform/queue/queues.ts']);
  });

  it('only src/config.ts reads the environment', () => {
    expect(importing(/process\.env/)).toEqual(['src/config.ts']);
  });

  it('entities depend on nothing but TypeORM and each other', () => {
    const offenders = productCode
      .filter((f) => f.file.startsWith('entities/'))
      .filter((f) => /from ['"](?!typeorm['"]|\.\/)/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it('services and commands reach Bull, Koa and the WeCom API only through ports', () => {
    const offenders = productCode
      .filter((f) => /^src\/modules\/(?!capture\/).*\.(service|port)\.ts$/.test(f.file) || f.file.startsWith('bots/'))
      .filter((f) => /from ['"](bull|koa|@koa\/router|ioredis)['"]|from ['"][./]*(src\/)?(platform\/)?(wecom\/api\/wecom-api\.client|queue\/)/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it('templates render data they declare: nothing in templates/ imports a feature module or bots/', () => {
    const offenders = productCode
      .filter((f) => f.file.startsWith('templates/'))
      .filter((f) => /from ['"][./]*(src\/modules\/|bots\/)/.test(f.text))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it('the web layer never talks to the WeCom API', () => {
    expect(importing(/wecom\/api\//).filter((f) => f.startsWith('src/platform/http/'))).toEqual([]);
  });

  it('the sandbox (a fake WeCom) is reached only from the composition roots: the entry point, the web app factory, the CLI container and the simulate CLI', () => {
    const allowed = ['src/main.ts', 'src/web.ts', 'src/cli/cli-container.ts', 'src/cli/simulate.ts'];
    const offenders = importing(/from ['"][./]*(src\/)?(modules\/)?sandbox\//).filter((f) => !f.startsWith('src/modules/sandbox/') && !allowed.includes(f));
    expect(offenders).toEqual([]);
  });
});
