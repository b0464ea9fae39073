/**
 * The application threads of the random I/O workload (randomIoWorkload.ts): each opens, reads,
 * writes, queries, sets, flushes, lists and closes files through `sim.io`, on handles of its own or
 * on a pool it shares with the others.
 */
import { sleep, type Blocking } from '../../kernel/effects.js';
import type { Random } from '../../kernel/random.js';
import type { Simulation } from '../../simulation.js';
import {
  DELETE,
  FILE_CREATE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_OVERWRITE_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FS_INFORMATION_CLASS,
} from '../../wdk/fileConstants.js';
import { STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';
import { pick } from './draws.js';


const ACCESS = [FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_READ | FILE_GENERIC_WRITE, FILE_GENERIC_READ | DELETE];
const DISPOSITIONS = [FILE_OPEN, FILE_OPEN, FILE_OPEN_IF, FILE_CREATE, FILE_OVERWRITE_IF];

export interface OpenHandle {
  readonly handle: string;
  readonly synchronous: boolean;
}

/** An application thread: opens, requests and closes on `handles` (its own, or a pool it shares). */
export function* application(sim: Simulation, r: Random, paths: readonly string[], requests: number, handles: OpenHandle[]): Blocking<NTSTATUS> {
  for (let i = 0; i < requests; i++) {
    if (r.nextInt(3) === 0) yield* sleep(r.nextInt(3));
    if (handles.length === 0 || r.nextInt(4) === 0) {
      const synchronous = r.nextInt(3) !== 0;
      const path = pick(r, paths);
      const open = yield* sim.io.NtCreateFile(path, {
        DesiredAccess: pick(r, ACCESS),
        ShareAccess: r.nextInt(8),
        CreateDisposition: pick(r, DISPOSITIONS),
        CreateOptions: (synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0) | (path.endsWith('dir') || r.nextInt(2) === 0 ? 0 : FILE_NON_DIRECTORY_FILE),
      });
      if (open.handle !== null) handles.push({ handle: open.handle, synchronous });
      continue;
    }
    const at = r.nextInt(handles.length);
    const { handle, synchronous } = handles[at]!;
    const offset = synchronous && r.nextInt(2) === 0 ? undefined : r.nextInt(48);
    switch (r.nextInt(9)) {
      case 0:
      case 1:
        yield* sim.io.NtReadFile(handle, r.nextInt(32), offset);
        break;
      case 2:
        yield* sim.io.NtWriteFile(handle, 'y'.repeat(r.nextInt(16)), offset);
        break;
      case 3:
        yield* sim.io.NtQueryInformationFile(handle, pick(r, [FILE_INFORMATION_CLASS.FileStandardInformation, FILE_INFORMATION_CLASS.FileBasicInformation, FILE_INFORMATION_CLASS.FilePositionInformation]), 64);
        break;
      case 4:
        if (r.nextInt(2) === 0) yield* sim.io.NtSetInformationFile(handle, FILE_INFORMATION_CLASS.FileEndOfFileInformation, { EndOfFile: r.nextInt(40) });
        else yield* sim.io.NtSetInformationFile(handle, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: r.nextInt(2) === 0 });
        break;
      case 5:
        yield* sim.io.NtQueryVolumeInformationFile(handle, FS_INFORMATION_CLASS.FileFsVolumeInformation, 128);
        break;
      case 6:
        yield* sim.io.NtFlushBuffersFile(handle);
        break;
      case 7:
        yield* sim.io.NtQueryDirectoryFile(handle, FILE_INFORMATION_CLASS.FileDirectoryInformation, 512, { RestartScan: r.nextInt(2) === 0 });
        break;
      default:
        handles.splice(at, 1);
        yield* sim.io.NtClose(handle);
    }
  }
  // Close what is left; with a shared pool, whichever thread gets to a handle first closes it.
  for (let open = handles.pop(); open !== undefined; open = handles.pop()) yield* sim.io.NtClose(open.handle);
  return STATUS_SUCCESS;
}
