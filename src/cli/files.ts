/**
 * File access for the CLI, each failure one line naming the file and what went wrong — never a
 * raw `ENOENT: no such file or directory, open …` — with the exit code the table gives it: reading
 * is an input error (3), writing an output error (5).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { CliError, EXIT } from './exitCodes.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

/** One readable line for a Node file-system error (`code` kept in parentheses for searching). */
export function fileProblem(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const reason = REASONS[code] ?? (error instanceof Error ? error.message.split('\n')[0]! : String(error));
  return code === '' ? reason : `${reason} (${code})`;
}

function isFileSystemError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'string' && /^E[A-Z]+$/.test((error as { code: string }).code);
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw new CliError(EXIT.input, `cannot read ${what} ${path}: ${fileProblem(error)}`);
  }
}

export function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw new CliError(EXIT.input, `cannot read ${what} ${path}: ${fileProblem(error)}`);
  }
}

/** Write chunks to `path` (created or truncated); a failure names the file. */
export function writeChunks(path: string, chunks: Iterable<string>): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw new CliError(EXIT.output, `cannot write ${path}: ${fileProblem(error)}`);
  }
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    throw new CliError(EXIT.output, `cannot write ${path}: ${fileProblem(error)}`);
  } finally {
    closeSync(fd);
  }
}
