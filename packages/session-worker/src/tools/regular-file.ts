import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { fsFailure, ToolFailure } from './tool-failure.js';

/**
 * A regular file with more than one hard link: another of its names may lie outside the workspace (a
 * `bash` command can `ln /outside/secret inside`), and no path check can tell, so the tools refuse it.
 */
export class HardLinkedFileError extends ToolFailure {
  constructor(displayPath: string, links: number) {
    super(
      'HARD_LINKED',
      `${displayPath} has ${links} hard links; files with more than one link are refused (another link ` +
        'may lie outside the workspace)',
    );
  }
}

/** Flags for opening: never through a final symlink, and never waiting on a FIFO's writer. */
const SAFE_OPEN = constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface OpenedFile {
  fh: FileHandle;
  stats: Stats;
}

/**
 * Opens an existing regular file with `flags` (O_RDONLY, O_RDWR) and checks what was opened, not what the
 * path named a moment earlier: a directory or other non-regular file fails NOT_A_FILE, a hard-linked
 * one HARD_LINKED. The caller closes the handle.
 */
export async function openRegularFile(
  absolute: string,
  displayPath: string,
  flags: number = constants.O_RDONLY,
): Promise<OpenedFile> {
  const fh = await open(absolute, flags | SAFE_OPEN).catch((e: unknown) =>
    Promise.reject(fsFailure(e, displayPath)),
  );
  try {
    const stats = await fh.stat();
    if (!stats.isFile()) throw new ToolFailure('NOT_A_FILE', `${displayPath} is not a regular file`);
    if (stats.nlink > 1) throw new HardLinkedFileError(displayPath, stats.nlink);
    return { fh, stats };
  } catch (e) {
    await fh.close();
    throw fsFailure(e, displayPath);
  }
}

/**
 * Creates `absolute` exclusively (it must not exist; a symlink there counts as existing). EEXIST is
 * left to the caller, who then opens the existing file with openRegularFile.
 */
export function createExclusive(absolute: string): Promise<FileHandle> {
  return open(absolute, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | SAFE_OPEN, 0o666);
}

/** Replaces the whole content of an open file. */
export async function overwrite(fh: FileHandle, content: string): Promise<void> {
  const buf = Buffer.from(content, 'utf8');
  await fh.truncate(0);
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset, offset);
    offset += bytesWritten;
  }
}
