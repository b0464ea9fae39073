// Random small file-system programs for partial-order reduction (issue 16): threads of one filter
// open, read, write, extend, create and delete files in two directories of one volume, through
// FltCreateFileEx (§21). A request confined to one file touches only that file's footprint
// (src/fs/fileFootprint.ts); the rest touches the whole volume. Brute force decides what each
// program can end in. Shared by factFootprints.test.ts and its deep twin.
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  DELETE,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FltClose,
  FltCreateFileEx,
  FltReadFile,
  FltWriteFile,
  ObDereferenceObject,
  STATUS_SUCCESS,
  exhaustiveSearch,
  preempt,
  reducedSearch,
  type Blocking,
  type Explorable,
  type FLT_RELATED_OBJECTS,
  type Reduction,
  type Simulation,
} from '../../src/index.js';
import { installFilter } from '../../src/testing/index.js';

/**
 * What a thread does to the file at `path`: 'read' and 'write' open it (FILE_OPEN) and read up to
 * four bytes or overwrite its first two, 'append' writes past its end (the stream grows: free space), 'create'
 * makes it (FILE_CREATE: a new name, a new file id), 'delete' opens it delete-on-close (its name
 * goes at the cleanup), 'dir' opens its directory and closes it.
 */
export type FsOp = { readonly kind: 'read' | 'write' | 'append' | 'create' | 'delete' | 'dir'; readonly path: number };
export type FsProgram = readonly (readonly FsOp[])[];

/** Two files in \a, one in \b, and a name in each that does not exist yet. */
const PATHS = ['\\a\\f0', '\\a\\f1', '\\b\\f2', '\\a\\n3', '\\b\\n4'];
const SEEDED = 3;

const fsOp = fc.record({
  kind: fc.constantFrom('read' as const, 'write' as const, 'append' as const, 'create' as const, 'delete' as const, 'dir' as const),
  path: fc.integer({ min: 0, max: PATHS.length - 1 }),
});

/** Two threads of 1–`most` operations. */
export const fsPrograms = (most: number): fc.Arbitrary<FsProgram> => fc.array(fc.array(fsOp, { minLength: 1, maxLength: most }), { minLength: 2, maxLength: 2 });

/** Each operation's outcome folds into the thread's result: statuses and the bytes it read. */
function* issue(o: FLT_RELATED_OBJECTS, op: FsOp, t: number): Blocking<string> {
  const path = PATHS[op.path]!;
  const dir = path.slice(0, 2);
  const share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  const [name, access, disposition, options] =
    op.kind === 'dir' ? [dir, FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE]
    : op.kind === 'create' ? [path, FILE_GENERIC_WRITE, FILE_CREATE, 0]
    : op.kind === 'delete' ? [path, DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE]
    : [path, op.kind === 'read' ? FILE_GENERIC_READ : FILE_GENERIC_WRITE, FILE_OPEN, 0];
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, access, { ObjectName: `C:${name}` }, 0, 0, share, disposition, options);
  if (r.FileObject === null) return `${op.kind}:${(r.status >>> 0).toString(16)}`;
  let seen = '';
  try {
    // Scheduling points between the requests: the other thread's requests may land in between.
    yield* preempt();
    if (op.kind === 'read') {
      // Four bytes: an append shows.
      const bytes = new Uint8Array(4);
      const read = yield* FltReadFile(o.Instance, r.FileObject, 0, 4, bytes);
      seen = String.fromCharCode(...bytes.subarray(0, read.BytesRead));
    } else if (op.kind === 'write' || op.kind === 'append') {
      const w = yield* FltWriteFile(o.Instance, r.FileObject, op.kind === 'write' ? 0 : 2, 2, Uint8Array.of(97 + t, 48 + op.path));
      seen = w.status === STATUS_SUCCESS ? '' : (w.status >>> 0).toString(16);
    }
    yield* preempt();
  } finally {
    yield* FltClose(r.FileHandle!);
    yield* ObDereferenceObject(r.FileObject);
  }
  return `${op.kind}:ok${seen}`;
}

/**
 * One volume with \a\f0, \a\f1 and \b\f2 (two bytes each); filter 'fs' issues every thread's
 * requests through its instance. The final state: each path's contents (or that it is gone), the
 * names in each directory, each thread's result.
 */
export function fsProgramScenario(program: FsProgram): Explorable & { finals: (sim: Simulation) => string } {
  // Each thread's result, written by that thread only as it ends and read when the run is over.
  const results: string[] = [];
  return {
    sharedState: 'cells',
    options: { fileSystemCompletion: 'inline' },
    finals: (sim) => {
      const fs = sim.fileSystem('C:');
      const files = PATHS.map((p) => {
        const data = fs.readFile(p);
        return data === null ? '-' : String.fromCharCode(...data);
      });
      return `${files.join(',')} a=[${(fs.list('\\a') ?? []).join(',')}] b=[${(fs.list('\\b') ?? []).join(',')}] ${results.join(' | ')}`;
    },
    build(sim: Simulation) {
      sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
      const fs = sim.fileSystem('C:');
      fs.mkdir('\\a');
      fs.mkdir('\\b');
      PATHS.slice(0, SEEDED).forEach((p, i) => fs.writeFile(p, String.fromCharCode(65 + 2 * i, 66 + 2 * i)));
      results.length = 0;
      const objects = sim.sharedCell<FLT_RELATED_OBJECTS | null>('fs objects', null);
      installFilter(sim, { name: 'fs', altitude: '300000', registration: { InstanceSetupCallback: (o) => (objects.set(o), STATUS_SUCCESS) } });
      sim.whenSettled(() => {
        const o = objects.get()!;
        program.forEach((ops, t) => {
          sim.spawn(`t${t}`, function* () {
            const out: string[] = [];
            for (const op of ops) out.push(yield* issue(o, op, t));
            results[t] = out.join(' ');
          });
        });
      });
    },
  };
}

const base = { seed: 1, args: {}, maxSteps: 5_000, maxOperationsInFlight: 32, invariants: true, monitors: [] };

/** Per complete schedule of an unbounded search: the final state (each thread's result in it) and the violation. */
export function reachFs(program: FsProgram, reduction: Reduction, stateHashing = false): { finals: Set<string>; schedules: number } {
  const scenario = fsProgramScenario(program);
  const finals = new Set<string>();
  const visit = (o: { sim: Simulation; violation: { kind: string; name: string } | null }) => {
    finals.add(`${scenario.finals(o.sim)} ${o.violation === null ? 'none' : `${o.violation.kind}:${o.violation.name}`}`);
    return false;
  };
  const options = { ...base, preemptionBound: Infinity, stateHashing, maxSchedules: 1_000_000, visit };
  const r = reduction === 'none' ? exhaustiveSearch(scenario, options) : reducedSearch(scenario, { ...options, reduction });
  expect(r.exhausted).toBe(true);
  return { finals, schedules: r.schedules };
}

/** DPOR, stateful DPOR and sleep sets reach exactly brute force's final states on a file-system program. */
export function checkFsAgainstBruteForce(program: FsProgram): { brute: number; dpor: number } {
  const brute = reachFs(program, 'none');
  const where = JSON.stringify(program);
  const dpor = reachFs(program, 'dpor');
  expect(dpor.finals, `dpor, ${where}`).toEqual(brute.finals);
  expect(reachFs(program, 'stateful-dpor', true).finals, `stateful dpor, ${where}`).toEqual(brute.finals);
  expect(reachFs(program, 'sleep-sets', true).finals, `sleep sets, ${where}`).toEqual(brute.finals);
  return { brute: brute.schedules, dpor: dpor.schedules };
}
