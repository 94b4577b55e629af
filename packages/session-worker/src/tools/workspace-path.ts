import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolFailure } from './tool-failure.js';

/** A path the model gave that resolves outside the session workspace (api.md "Built-in tools"). */
export class WorkspacePathError extends ToolFailure {
  constructor(
    readonly requestedPath: string,
    reason: string,
  ) {
    super('PATH_OUTSIDE_WORKSPACE', `path '${requestedPath}' is outside the workspace (${reason})`);
  }
}

const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | null)?.code === code;

/** True when `p` is `root` or lies below it (both canonical). */
export function isWithin(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export interface ResolvedPath {
  /** Canonical absolute path: every existing component resolved through symlinks. Operate on this. */
  absolute: string;
  /** Canonical workspace root. */
  root: string;
  /** Path relative to the root with `/` separators; `.` for the root itself. Shown to the model. */
  relative: string;
}

/** The workspace-relative display form of a canonical path inside `root`. */
export function relativeTo(root: string, absolute: string): string {
  const rel = path.relative(root, absolute);
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/**
 * Resolves `p` (relative to the workspace, or absolute) to a canonical path confined to the workspace.
 * The deepest existing ancestor is resolved with realpath, so `..`, absolute paths elsewhere and symlinks
 * (file or directory) that leave the workspace are all refused; a component that exists as a symlink but
 * cannot be resolved (dangling, loop) is refused too, since following it on write could create a file
 * anywhere. Nothing is created or modified. (A concurrent swap of a component for a symlink between this
 * check and the use is not defended against: the workspace belongs to the session's own tools.)
 */
export async function resolveWorkspacePath(workspace: string, p: string): Promise<ResolvedPath> {
  if (p.includes('\0')) throw new WorkspacePathError(p, 'contains a NUL byte');
  const root = await realpath(workspace);
  const lexical = path.resolve(workspace, p);
  const pending: string[] = [];
  let current = lexical;
  for (;;) {
    try {
      const real = await realpath(current);
      const absolute = pending.length > 0 ? path.join(real, ...pending.reverse()) : real;
      if (!isWithin(root, absolute)) throw new WorkspacePathError(p, 'resolves outside it');
      return { absolute, root, relative: relativeTo(root, absolute) };
    } catch (e) {
      if (e instanceof WorkspacePathError) throw e;
      if (!isErrno(e, 'ENOENT') && !isErrno(e, 'ENOTDIR') && !isErrno(e, 'ELOOP')) throw e;
      // The component exists (lstat works) yet does not resolve: a dangling or looping symlink.
      const exists = await lstat(current).then(
        () => true,
        (le: unknown) => (isErrno(le, 'ENOENT') || isErrno(le, 'ENOTDIR') ? false : Promise.reject(le)),
      );
      if (exists && !isErrno(e, 'ENOTDIR')) throw new WorkspacePathError(p, 'unresolvable symlink');
      const parent = path.dirname(current);
      if (parent === current) throw new WorkspacePathError(p, 'no existing ancestor');
      pending.push(path.basename(current));
      current = parent;
    }
  }
}

/** Canonical absolute path of `p` inside `workspace`; throws WorkspacePathError when it escapes. */
export async function resolveInWorkspace(workspace: string, p: string): Promise<string> {
  return (await resolveWorkspacePath(workspace, p)).absolute;
}
