import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';

/**
 * The sandbox page: plain HTML, CSS and JavaScript files served as they are (no build step). Only
 * the files listed here are served, so no request path ever reaches the file system.
 */
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'sandbox.css': 'text/css; charset=utf-8',
  'sandbox.js': 'text/javascript; charset=utf-8',
  'screenshot.png': 'image/png',
};

/** src/sandbox/public, also when running the compiled dist/src/sandbox (tsc copies no assets). */
function publicDir(): string {
  const candidates = [join(__dirname, 'public'), resolve(__dirname, '../../../../src/modules/sandbox/public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export function pageRouter(): Router {
  const router = new Router();
  const dir = publicDir();
  const serve = (name: string) => (ctx: Context) => {
    ctx.type = FILES[name]!;
    ctx.set('cache-control', 'no-cache');
    ctx.body = readFileSync(join(dir, name));
  };
  router.get('/sandbox', serve('index.html'));
  router.get('/sandbox/', serve('index.html'));
  for (const name of Object.keys(FILES)) router.get(`/sandbox/${name}`, serve(name));
  return router;
}
