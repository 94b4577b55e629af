import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RuntimeError } from '../errors/runtime-error.js';

function refuse(message: string): RuntimeError {
  return RuntimeError.validation(`invalid workspace.path: ${message}`, [
    { code: 'custom', path: ['config', 'workspace', 'path'], message },
  ]);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The directories a caller-chosen session workspace must lie in (`RuntimeOptions.workspaceRoots`). A path is
 * accepted only if it is absolute, has no NUL, and — after `..` is collapsed and the symbolic links of its
 * existing part are resolved — lies strictly below one of the roots (a root itself would be shared by every
 * session placed there). The session records that resolved path, so a link created later along the original
 * spelling does not move it. The runtime's own default (`<dataDir>/workspaces/<sessionId>`) is chosen by the
 * runtime, not the caller, and is not checked.
 */
export class WorkspaceRoots {
  private constructor(readonly roots: readonly string[]) {}

  /** Creates missing roots and resolves their symbolic links once. */
  static async prepare(roots: readonly string[]): Promise<WorkspaceRoots> {
    const real: string[] = [];
    for (const root of roots) {
      await mkdir(root, { recursive: true });
      real.push(await realpath(root));
    }
    return new WorkspaceRoots(real);
  }

  /** The resolved path to record for a caller-given workspace path, or INVALID_INPUT/Validation. */
  async confine(path: string): Promise<string> {
    if (path.includes('\0')) throw refuse('must not contain NUL characters');
    if (!isAbsolute(path)) throw refuse(`must be absolute, got ${JSON.stringify(path)}`);
    const resolved = await resolveExistingPart(resolve(path));
    if (!this.roots.some((root) => isInside(root, resolved))) {
      throw refuse(`${resolved} is not inside a workspace root (${this.roots.join(', ')})`);
    }
    return resolved;
  }
}

/** `path` with the symbolic links of its longest existing ancestor resolved; the rest is kept as written. */
async function resolveExistingPart(path: string): Promise<string> {
  const rest: string[] = [];
  let existing = path;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(`cannot inspect it: ${String(err)}`);
      const parent = dirname(existing);
      if (parent === existing) break;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (err) {
    // A dangling link: whatever it is pointed at later would become the workspace.
    throw refuse(`${existing} is a dangling symbolic link (${(err as NodeJS.ErrnoException).code})`);
  }
  if (!(await stat(real)).isDirectory()) throw refuse(`${real} is not a directory`);
  return join(real, ...rest);
}
