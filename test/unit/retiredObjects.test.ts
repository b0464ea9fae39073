// Objects that left the live state for good keep no actor (memory stays flat on long runs), yet a
// late fact about one is still checked against its machine.
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createSimulation, FltSimError, FILE_GENERIC_WRITE, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT } from '../../src/index.js';
import { fileObjectMachine } from '../../src/machines/fileObject.js';

describe('retired objects', () => {
  it('a closed file object takes a late RoutineFailed, and a second close is still an internal error', () => {
    const sim = createSimulation();
    const { kernel } = sim;
    const actor = createActor(fileObjectMachine, { input: { reject: kernel.rejectEvent } }).start();
    kernel.attachActor('O9', actor);
    kernel.emit('O9', { type: 'FileObjectOpened', flags: 0 });
    kernel.emit('O9', { type: 'FileObjectClose' });
    kernel.retireActor('O9');
    expect(kernel.actorOf('O9')).toBeUndefined();
    expect(() => kernel.emit('O9', { type: 'RoutineFailed', routine: 'FltReadFile', status: 0xc0000128, detail: 'closed' })).not.toThrow();
    const before = sim.log.length;
    expect(() => kernel.emit('O9', { type: 'FileObjectClose' })).toThrow(FltSimError);
    expect(() => kernel.emit('O9', { type: 'FileObjectClose' })).toThrow(/O9 in state \{"Closed":"CacheMapNotInitialized"\} cannot take FileObjectClose/);
    expect(sim.log.length).toBe(before); // a rejected fact is never appended
  });

  it('a run of application I/O keeps no actor for the operations and file objects it finished', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.spawn('app', function* () {
      for (let i = 0; i < 5; i++) {
        const open = yield* sim.io.NtCreateFile(`C:\\f${i}.txt`, { DesiredAccess: FILE_GENERIC_WRITE, CreateDisposition: FILE_OPEN_IF, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        yield* sim.io.NtWriteFile(open.handle!, 'data', 0);
        yield* sim.io.NtClose(open.handle!);
      }
    });
    sim.run();
    const finished = sim.log.filter((f) => f.type === 'IoComplete' || f.type === 'FileObjectClose').map((f) => f.object);
    expect(finished.length).toBeGreaterThan(0);
    for (const id of finished) expect(kernel(sim).actorOf(id), id).toBeUndefined();
  });
});

function kernel(sim: ReturnType<typeof createSimulation>) {
  return sim.kernel;
}
