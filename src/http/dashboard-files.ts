/**
 * The dashboard's built files (`npm run build` writes them to dist/dashboard): its page at `/` and at
 * `/instances/{id}` and `/batches` (the browser's routes), and its hashed assets under `/assets/`. They hold no data, and a
 * browser loads them before it can send an API key, so they are served without one; everything they show
 * comes from the API, which requires the key.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from './errors.js';

/** From dist/src/http/ to dist/dashboard/. */
const DASHBOARD_ROOT = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The page runs only its own scripts and styles, talks only to this origin, and is never framed: another
 * site cannot overlay it to trick a click on Terminate.
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Vite writes `name-hash.ext` files into one folder. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function registerDashboardFiles(app: FastifyInstance, root = DASHBOARD_ROOT): void {
  const built = existsSync(`${root}/index.html`);
  // serve: false: only reply.sendFile, which refuses paths that leave the root; the routes below say what is served.
  if (built) void app.register(fastifyStatic, { root, serve: false });
  const config = { withoutApiKey: true };

  const page = async (_request: unknown, reply: FastifyReply) => {
    if (!built) throw new HttpError(404, 'the dashboard is not built: run `npm run build`, then start the server again');
    return reply.headers(PAGE_HEADERS).sendFile('index.html', { cacheControl: false });
  };
  app.get('/', { config }, page);
  app.get('/instances/:instanceId', { config }, page);
  app.get('/batches', { config }, page);

  app.get<{ Params: { '*': string } }>('/assets/*', { config }, async (request, reply) => {
    if (!built) throw new HttpError(404, 'the dashboard is not built: run `npm run build`');
    // The built assets are one flat folder of plain names: anything else (`..`, a sub-path) is not one of them,
    // whatever sendFile would make of it.
    const name = request.params['*'];
    if (!ASSET_NAME.test(name)) throw new HttpError(404, `there is no dashboard asset '${name.slice(0, 100)}'`);
    // Names carry a content hash: a file never changes under its name.
    return reply.header('x-content-type-options', 'nosniff').sendFile(`assets/${name}`, { maxAge: ONE_YEAR_SECONDS * 1000, immutable: true });
  });
}
