import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(src, '..');

/**
 * Child processes and worker threads of the tests import `dist/`: build it unless it is newer than every source
 * file (turbo builds before tests, a single `vitest run` may not have).
 */
export function ensureBuilt(): void {
  const dist = join(pkg, 'dist', 'index.js');
  const newest = Math.max(
    ...readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => statSync(join(src, f)).mtimeMs),
  );
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest) return;
  execFileSync(
    process.execPath,
    [join(pkg, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: pkg, stdio: 'inherit' },
  );
}

/** `dist/index.js` as a file URL, for `import()` in a child process or worker thread. */
export const DIST_URL = new URL('../../dist/index.js', import.meta.url).href;
