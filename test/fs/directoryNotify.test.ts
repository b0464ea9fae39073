// §21.9 in the file system alone, without a kernel: whether a notify structure overflowed and whether
// its handle was cleaned up are states of its machine (src/machines/notifyChange.ts), which the
// file system's link runs here too, so the answers are the ones a simulation gets
// (test/scenario/fs/directoryNotify.test.ts pins those with their facts).
import { describe, expect, it } from 'vitest';
import { makeFs, type Io } from './helpers.js';
import type { FsCompletion } from '../../src/fs/index.js';
import { FILE_CREATE, FILE_DIRECTORY_FILE } from '../../src/wdk/createConstants.js';
import { FILE_NOTIFY_CHANGE_FILE_NAME } from '../../src/wdk/directoryNotify.js';
import { IRP_MJ_DIRECTORY_CONTROL, IRP_MN_NOTIFY_CHANGE_DIRECTORY } from '../../src/wdk/irp.js';
import { ntStatusName } from '../../src/wdk/ntstatus.js';

/** IRP_MN_NOTIFY_CHANGE_DIRECTORY on `dir` as operation `operation`, with a `length`-byte buffer. */
function notify(io: Io, dir: string, operation: string, length: number): FsCompletion {
  return io.send(dir, IRP_MJ_DIRECTORY_CONTROL, { DirectoryControl: { NotifyDirectory: { Length: length, CompletionFilter: FILE_NOTIFY_CHANGE_FILE_NAME } } }, { MinorFunction: IRP_MN_NOTIFY_CHANGE_DIRECTORY, operation });
}

const shown = (c: FsCompletion | null): string => (c === null ? 'again' : `${ntStatusName(c.Status)}${c.parked === true ? ' parked' : ''} ${c.Information}`);

describe('IRP_MN_NOTIFY_CHANGE_DIRECTORY without a kernel (§21.9)', () => {
  it('an overflow is owed to the next request (STATUS_NOTIFY_ENUM_DIR), and after the cleanup every request gets STATUS_NOTIFY_CLEANUP', () => {
    const { fs, io } = makeFs();
    fs.mkdir('\\d');
    io.open('d', '\\d', { options: FILE_DIRECTORY_FILE });
    const seen: string[] = [];
    seen.push(`D1 ${shown(notify(io, 'd', 'D1', 16))}`);
    // 'a' completes D1 (a 14-byte FILE_NOTIFY_INFORMATION fits 16); 'bbbbbbbb' (28 bytes) does not: an overflow, and 'c' after it is lost too.
    for (const name of ['a', 'bbbbbbbb', 'c']) io.open(name, `\\d\\${name}`, { disposition: FILE_CREATE });
    for (const r of fs.takeReleased()) seen.push(`${r.operation} ${shown(r.completion)}`);
    seen.push(`D2 ${shown(notify(io, 'd', 'D2', 4096))}`);
    seen.push(`D3 ${shown(notify(io, 'd', 'D3', 4096))}`);
    expect(fs.directoryNotifications().map((n) => n.pending.map((p) => p.operation))).toEqual([['D3']]);
    io.cleanup('d');
    for (const r of fs.takeReleased()) seen.push(`${r.operation} ${shown(r.completion)}`);
    seen.push(`D4 ${shown(notify(io, 'd', 'D4', 4096))}`);
    expect(seen).toEqual([
      'D1 STATUS_PENDING parked 0',
      'D1 STATUS_SUCCESS 14',
      'D2 STATUS_NOTIFY_ENUM_DIR 0',
      'D3 STATUS_PENDING parked 0',
      'D3 STATUS_NOTIFY_CLEANUP 0',
      'D4 STATUS_NOTIFY_CLEANUP 0',
    ]);
    expect(fs.directoryNotifications()).toEqual([]);
  });
});
