import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The dependency rules of the layout (README "Where code goes"), checked on every import of the
 * product code: src/, bots/, templates/, entities/ and ormconfig.ts.
 *
 *   src/platform/   infrastructure: never imports a feature, a command or a template
 *   src/modules/    one folder per feature; another module is reached only through its index.ts
 *   bots/           commands and card actions; modules only through their index.ts
 *   templates/      pure functions of data: no module, no bot, nothing with side effects
 *   entities/       data only
 *   src/*.ts, src/cli/   entry points and the composition root: may import anything
 */
const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface SourceFile {
  file: string;
  text: string;
  /** every relative import or re-export, resolved to a product file (repo-relative) */
  imports: string[];
  /** every bare import (packages and node: builtins) */
  packages: string[];
}

const paths = ['src', 'entities', 'bots', 'templates'].flatMap((d) => sources(join(ROOT, d))).concat(join(ROOT, 'ormconfig.ts'));
const known = new Set(paths.map((p) => relative(ROOT, p)));
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveImport(from: string, spec: string): string | null {
  const base = relative(ROOT, resolve(ROOT, dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) if (known.has(candidate)) return candidate;
  return null;
}

const productCode: SourceFile[] = paths.map((path) => {
  const file = relative(ROOT, path);
  const text = readFileSync(path, 'utf8');
  const imports: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (spec.startsWith('.')) {
      const target = resolveImport(file, spec);
      if (target) imports.push(target);
      else if (!/\.(json|html|css|js)$/.test(spec)) throw new Error(`${file}: cannot resolve ${spec}`);
    } else packages.push(spec);
  }
  return { file, text, imports, packages };
});

const byFile = new Map(productCode.map((f) => [f.file, f]));
const importing = (pattern: RegExp) => productCode.filter((f) => pattern.test(f.text)).map((f) => f.file);
/** `file -> target` for every import of a file matching `from` that lands on a file matching `to` */
const edges = (from: (file: string) => boolean, to: (target: string, file: string) => boolean) =>
  productCode.filter((f) => from(f.file)).flatMap((f) => f.imports.filter((t) => to(t, f.file)).map((t) => `${f.file} -> ${t}`));

const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(file)?.[1] ?? null;
const isModuleEntry = (file: string) => /^src\/modules\/[^/]+\/index\.ts$/.test(file);
const inPlatform = (file: string) => file.startsWith('src/platform/');

/** Strongly connected components with more than one file (Tarjan), i.e. import circles. */
function importCircles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    order.set(file, index);
    low.set(file, index);
    index += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of byFile.get(file)?.imports ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, order.get(next)!));
    }
    if (low.get(file) === order.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const f of productCode) if (!order.has(f.file)) visit(f.file);
  return circles;
}

const expectNone = (offenders: string[]) => expect(offenders).toEqual([]);

describe('architecture rules', () => {
  it('reads every product file and resolves every relative import', () => {
    expect(productCode.length).toBeGreaterThan(200);
    expect(productCode.filter((f) => f.file.startsWith('src/platform/')).length).toBeGreaterThan(40);
    expect(productCode.filter((f) => f.file.startsWith('src/modules/')).length).toBeGreaterThan(40);
  });

  it('has no import circle', () => {
    expectNone(importCircles().map((c) => c.join(' <-> ')));
  });

  it('only src/platform/queue/queues.ts imports Bull, so a move to BullMQ stays in one file', () => {
    expect(productCode.filter((f) => f.packages.includes('bull')).map((f) => f.file)).toEqual(['src/platform/queue/queues.ts']);
  });

  it('only src/config.ts reads the environment', () => {
    expect(importing(/process\.env/)).toEqual(['src/config.ts']);
  });

  it('platform never imports a feature module, a command, a template or an entry point', () => {
    const platformMayImport = (target: string) =>
      inPlatform(target) || target.startsWith('entities/') || target === 'src/config.ts' || target === 'ormconfig.ts';
    expectNone(edges(inPlatform, (t) => !platformMayImport(t)));
  });

  it('no module or platform file receives the composition root: what a module uses is named in its own dependencies', () => {
    const roots = ['src/container.ts', 'src/worker.ts', 'src/web.ts', 'src/main.ts', 'src/feature-modules.ts'];
    expectNone(
      edges(
        (f) => f.startsWith('src/modules/') || inPlatform(f),
        (t) => roots.includes(t) || t.startsWith('src/cli/'),
      ),
    );
  });

  it('a module reaches another module only through its index.ts', () => {
    const crossing = (target: string, file: string) => moduleOf(target) !== null && moduleOf(target) !== moduleOf(file) && !isModuleEntry(target);
    expectNone(edges((f) => moduleOf(f) !== null, crossing));
  });

  it('modules depend on each other without a circle (a feature can be read without the ones that use it)', () => {
    const uses = new Map<string, Set<string>>();
    for (const f of productCode) {
      const from = moduleOf(f.file);
      if (!from) continue;
      for (const t of f.imports) {
        const to = moduleOf(t);
        if (to && to !== from) uses.set(from, (uses.get(from) ?? new Set()).add(to));
      }
    }
    const circles: string[] = [];
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(uses.get(from) ?? [])].some((next) => {
        if (next === to) return true;
        if (seen.has(next)) return false;
        seen.add(next);
        return reaches(next, to, seen);
      });
    for (const [from, targets] of uses) for (const to of targets) if (from < to && reaches(to, from)) circles.push(`${from} <-> ${to}`);
    expectNone(circles);
  });

  it('commands and card actions reach modules only through their index.ts, and never the entry points', () => {
    const notAllowed = (target: string) =>
      (moduleOf(target) !== null && !isModuleEntry(target)) || /^src\/[^/]+\.ts$/.test(target) || target.startsWith('src/cli/');
    expectNone(edges((f) => f.startsWith('bots/'), notAllowed));
  });

  it('templates are pure: they import only templates, WeCom message types and limits, and the time-zone-aware dayjs', () => {
    const pure = (target: string) =>
      target.startsWith('templates/') ||
      target.startsWith('src/platform/wecom/limits/') ||
      target === 'src/platform/wecom/api/wecom-api.types.ts' ||
      target === 'src/platform/dayjs.ts';
    expectNone(
      edges(
        (f) => f.startsWith('templates/'),
        (t) => !pure(t),
      ),
    );
    const packages = productCode.filter((f) => f.file.startsWith('templates/')).flatMap((f) => f.packages.filter((p) => !/^(node:path|node:fs|zod)$/.test(p)));
    expect(packages).toEqual([]);
  });

  it('entities depend on nothing but TypeORM and each other', () => {
    const entities = (f: string) => f.startsWith('entities/');
    expectNone(edges(entities, (t) => !entities(t)));
    expect(productCode.filter((f) => entities(f.file)).flatMap((f) => f.packages.filter((p) => p !== 'typeorm'))).toEqual([]);
  });

  it('services, commands and card actions reach Bull, Koa, Redis and the WeCom API only through ports', () => {
    const portBound = (f: SourceFile) => /^src\/modules\/.*\.service\.ts$/.test(f.file) || f.file.startsWith('bots/');
    const offenders = productCode
      .filter(portBound)
      .filter(
        (f) =>
          f.packages.some((p) => /^(bull|koa|@koa\/router|ioredis)$/.test(p)) ||
          f.imports.some((t) => t === 'src/platform/wecom/api/wecom-api.client.ts' || t.startsWith('src/platform/queue/')),
      )
      .map((f) => f.file);
    expectNone(offenders);
  });

  it('the web layer never talks to the WeCom API', () => {
    expectNone(
      edges(
        (f) => f.startsWith('src/platform/http/'),
        (t) => t.startsWith('src/platform/wecom/api/') && !t.endsWith('.types.ts'),
      ),
    );
  });

  it('the sandbox (a fake WeCom) is reached only from the composition roots: the entry point, the web app factory, the CLI container and the simulate CLI', () => {
    const allowed = ['src/main.ts', 'src/web.ts', 'src/cli/cli-container.ts', 'src/cli/simulate.ts'];
    expectNone(
      edges(
        (f) => moduleOf(f) !== 'sandbox' && !allowed.includes(f),
        (t) => moduleOf(t) === 'sandbox',
      ),
    );
  });

  it('the fake WeCom (src/modules/sandbox/fake-wecom/) is the sandbox’s own: nothing else in the product imports it', () => {
    const fake = (t: string) => t.startsWith('src/modules/sandbox/fake-wecom/');
    expect(edges((f) => moduleOf(f) !== 'sandbox', fake)).toEqual([]);
  });
});
