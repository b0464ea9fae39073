import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budget } from '../support/deep.js';
import { makeFs } from './helpers.js';
import type { Io } from './helpers.js';
import type { SnapshotEntry } from '../../src/fs/index.js';
import {
  DELETE,
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_INFORMATION_CLASS as C,
  FILE_OPEN_IF,
  FILE_SYNCHRONOUS_IO_NONALERT,
} from '../../src/wdk/fileConstants.js';
import { STATUS_SUCCESS, STATUS_END_OF_FILE } from '../../src/wdk/ntstatus.js';

const NAMES = ['\\a', '\\b', '\\d', '\\d\\x', '\\A'];
const HANDLES = ['h0', 'h1', 'h2', 'h3'];

const op = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    h: fc.integer({ min: 0, max: 3 }),
    name: fc.integer({ min: 0, max: NAMES.length - 1 }),
    disposition: fc.integer({ min: 0, max: 6 }),
    access: fc.constantFrom(FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_READ | FILE_GENERIC_WRITE | DELETE, DELETE, 0),
    share: fc.integer({ min: 0, max: 7 }),
    options: fc.constantFrom(0, FILE_DIRECTORY_FILE, FILE_DELETE_ON_CLOSE, FILE_SYNCHRONOUS_IO_NONALERT),
  }),
  fc.record({ kind: fc.constant('write' as const), h: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: -2, max: 9000 }), len: fc.integer({ min: 0, max: 700 }) }),
  fc.record({ kind: fc.constant('read' as const), h: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: -2, max: 9000 }), len: fc.integer({ min: 0, max: 700 }) }),
  fc.record({ kind: fc.constant('eof' as const), h: fc.integer({ min: 0, max: 3 }), size: fc.integer({ min: -1, max: 9000 }) }),
  fc.record({ kind: fc.constant('rename' as const), h: fc.integer({ min: 0, max: 3 }), name: fc.integer({ min: 0, max: NAMES.length - 1 }), replace: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), h: fc.integer({ min: 0, max: 3 }), on: fc.boolean() }),
  fc.record({ kind: fc.constant('cleanup' as const), h: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('close' as const), h: fc.integer({ min: 0, max: 3 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(io: Io, o: Op): number {
  const h = HANDLES[o.h] ?? 'h0';
  switch (o.kind) {
    case 'create':
      return io.open(h, NAMES[o.name] ?? '\\a', { disposition: o.disposition, access: o.access, share: o.share, options: o.options }).Status;
    case 'write':
      return io.write(h, o.offset, new Uint8Array(o.len).fill(o.len % 251)).Status;
    case 'read':
      return io.read(h, o.offset, o.len).Status;
    case 'eof':
      return io.set(h, C.FileEndOfFileInformation, { EndOfFile: o.size }).Status;
    case 'rename':
      return io.set(h, C.FileRenameInformation, { ReplaceIfExists: o.replace, RootDirectory: null, FileName: NAMES[o.name] ?? '\\a' }).Status;
    case 'delete':
      return io.set(h, C.FileDispositionInformation, { DeleteFile: o.on }).Status;
    case 'cleanup':
      return io.cleanup(h).Status;
    case 'close': {
      return io.close(h).Status;
    }
  }
}

function allShares(e: SnapshotEntry): number[] {
  return [e.share.OpenCount, ...(e.children ?? []).flatMap(allShares)];
}

describe('random I/O sequences (fast-check)', () => {
  it('never throw, CLEANUP/CLOSE always succeed, replay is deterministic, and closing everything leaves no residue', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const run = () => {
          const { fs, io } = makeFs({ totalBytes: 256 * 1024 });
          const statuses = ops.map((o) => {
            const status = apply(io, o);
            if (o.kind === 'cleanup' || o.kind === 'close') expect(status).toBe(STATUS_SUCCESS);
            expect(typeof status).toBe('number');
            return status;
          });
          for (const h of HANDLES) io.closeHandle(h);
          return { fs, statuses };
        };
        const first = run();
        const second = run();
        expect(second.statuses).toEqual(first.statuses);
        const snapshot = first.fs.snapshot();
        expect(second.fs.snapshot()).toEqual(snapshot);
        expect(snapshot.fileObjects).toEqual([]);
        expect(snapshot.orphans).toEqual([]);
        expect(allShares(snapshot.root).every((n) => n === 0)).toBe(true);
      }),
      { numRuns: budget(100, 300) },
    );
  });

  it('file contents after random writes and EOF changes equal a plain array model', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), offset: fc.integer({ min: 0, max: 5000 }), bytes: fc.uint8Array({ maxLength: 600 }) }),
      fc.record({ kind: fc.constant('eof' as const), size: fc.integer({ min: 0, max: 6000 }) }),
    );
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 40 }), (edits) => {
        const { fs, io } = makeFs();
        io.open('f', '\\model', { disposition: FILE_OPEN_IF, access: FILE_GENERIC_READ | FILE_GENERIC_WRITE });
        let model: number[] = [];
        for (const e of edits) {
          if (e.kind === 'write') {
            expect(io.write('f', e.offset, e.bytes).Status).toBe(STATUS_SUCCESS);
            // A zero-length write transfers nothing and does not extend the file (WriteFile docs).
            while (e.bytes.length > 0 && model.length < e.offset + e.bytes.length) model.push(0);
            e.bytes.forEach((b, i) => (model[e.offset + i] = b));
          } else {
            expect(io.set('f', C.FileEndOfFileInformation, { EndOfFile: e.size }).Status).toBe(STATUS_SUCCESS);
            model = model.slice(0, e.size);
            while (model.length < e.size) model.push(0);
          }
        }
        expect(Array.from(fs.readFile('\\model') ?? [])).toEqual(model);
        const whole = io.read('f', 0, model.length + 10);
        if (model.length === 0) expect(whole.Status).toBe(STATUS_END_OF_FILE);
        else expect(whole.output?.kind === 'data' ? Array.from(whole.output.data) : null).toEqual(model);
        expect(fs.stat('\\model')?.allocationSize).toBe(Math.ceil(model.length / 4096) * 4096);
      }),
      { numRuns: budget(60, 200) },
    );
  });

  it('a FILE_CREATE that collides never changes the tree', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const { fs, io } = makeFs();
        fs.writeFile('\\x', bytes);
        const before = fs.snapshot();
        io.open('h', '\\x', { disposition: FILE_CREATE });
        expect(fs.snapshot()).toEqual(before);
      }),
      { numRuns: budget(20, 50) },
    );
  });
});
