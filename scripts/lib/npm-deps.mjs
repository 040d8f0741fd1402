// node_modules is stale when it does not hold what package-lock.json asks for. npm keeps its own
// record of what it installed in node_modules/.package-lock.json; comparing versions there is
// exact and costs one JSON parse (no npm process), so a second start stays fast.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Returns null when node_modules matches the lockfile, else the reason it does not. */
export function npmStaleReason(root) {
  const lockPath = join(root, 'package-lock.json');
  const hiddenPath = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(hiddenPath)) return 'node_modules was not installed by npm';
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(hiddenPath, 'utf8')).packages ?? {};
  for (const [key, want] of Object.entries(lock)) {
    if (!key.startsWith('node_modules/')) continue;
    const have = installed[key];
    // Optional packages for other platforms (esbuild's, rolldown's) are never installed here.
    if (!have && want.optional) continue;
    if (!have) return `${key.slice('node_modules/'.length)} is not installed`;
    if (!want.link && have.version !== want.version) {
      return `${key.slice('node_modules/'.length)} is ${have.version}, the lockfile wants ${want.version}`;
    }
  }
  return null;
}
