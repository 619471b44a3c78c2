// A tiny static HTTP server on 127.0.0.1 (Node-only tooling): serves a folder and/or in-memory files, never
// anything outside them. Used by `npm run web` and by the browser tests (which add no external network at all).
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Base URL, e.g. http://127.0.0.1:41234/ (always ends in "/"). */
  url: string;
  port: number;
  /** Adds or replaces an in-memory file ("/name.js" → content). */
  put(path: string, content: string | Uint8Array): void;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Folder to serve (optional). */
  root?: string;
  /** In-memory files, by URL path ("/index.html"); they win over the folder. */
  files?: Record<string, string | Uint8Array>;
  /** 0 (default) picks a free port. */
  port?: number;
}

export async function serveStatic(opts: ServeOptions = {}): Promise<StaticServer> {
  const files = new Map<string, string | Uint8Array>(Object.entries(opts.files ?? {}));
  const root = opts.root ? resolve(opts.root) : null;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let path = decodeURIComponent(url.pathname);
      if (path.endsWith('/')) path += 'index.html';
      const headers = { 'Cache-Control': 'no-store', 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream' };
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
      const mem = files.get(path);
      if (mem !== undefined) { res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : mem); return; }
      if (root) {
        const full = normalize(join(root, path));
        if (full === root || full.startsWith(root + sep)) {
          const st = await stat(full).catch(() => null);
          if (st?.isFile()) { res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : await readFile(full)); return; }
        }
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`server error: ${(e as Error).message}\n`);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE'
      ? new Error(`port ${opts.port} on 127.0.0.1 is in use; pick another with --port or use 0 for a free one`) : e));
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    put(path, content) { files.set(path.startsWith('/') ? path : `/${path}`, content); },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
