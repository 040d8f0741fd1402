// The web bundle's hashed assets as the build gzipped them (`name.gz` beside `name`, written by
// apps/web/vite.config.ts), sent as they are to browsers that accept gzip. Compressing Monaco's
// 3.4 MB chunk on every request cost the server 150-300 ms of CPU per first load, on the
// critical path of the editor and in competition with everything else the server does.
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { RequestHandler } from 'express';

/** Names as Vite writes them into assets/: no directories, no dot-files. */
const ASSET = /^\/assets\/([\w-]+(?:\.[\w-]+)*)$/;

export function precompressedAssets(webDistDir: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = ASSET.exec(req.path)?.[1];
    if (!name || name.endsWith('.gz') || !req.acceptsEncodings('gzip')) return next();
    const gz = join(webDistDir, 'assets', `${name}.gz`);
    if (!existsSync(gz)) return next();
    // The type of the asset itself, not of a .gz file.
    res.type(extname(name));
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(gz, (error) => {
      if (!error || res.headersSent) return;
      // Gone since the check: the plain file, encoded by compression() if at all.
      for (const header of ['Content-Encoding', 'Content-Type', 'Vary']) res.removeHeader(header);
      next();
    });
  };
}
