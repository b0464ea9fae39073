/**
 * `fltsim run examples/samples/change`: the change sample attached to C: by its INF. A transacted
 * writer keeps a plain read handle on `\tx.txt` open (so its file context lives through the
 * transaction), opens it for writing in a transaction, writes, closes, then commits or rolls back
 * (`outcome`, default commit) and closes the reader; a second application writes `\plain.txt`
 * outside any transaction; `fltmc unload change` after `unloadAt` ticks (default 20).
 * Args: TraceFlags (gTraceFlags, default CGDBG_TRACE_DEBUG | CGDBG_TRACE_ERROR = 0xC), outcome
 * (commit | rollback), unloadAt.
 */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  UsageError,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, machine, openForWrite, unloadAfter } from '../common/system.js';
import { CHANGE_INSTANCES, CHANGE_NAME, change, type ChangeImage } from './change.js';

export function changeSystem(sim: Simulation, args: ScenarioArgs): ChangeImage {
  const unloadAt = dwordArg(args, 'unloadAt', 20, 0);
  const outcome = args['outcome'] ?? 'commit';
  if (outcome !== 'commit' && outcome !== 'rollback') throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument outcome must be commit or rollback, got ${JSON.stringify(outcome)}`);
  machine(sim, { '\\tx.txt': 'before the transaction', '\\plain.txt': 'plain' });
  const image = change(dwordArg(args, 'TraceFlags', 0xc, 0));
  const entry = sim.loadDriver({ name: CHANGE_NAME, instances: CHANGE_INSTANCES }, image.DriverEntry);
  const share = FILE_SHARE_READ | FILE_SHARE_WRITE;
  sim.whenSettled(() => {
    sim.spawn('transacted writer', function* () {
      const reader = yield* sim.io.NtCreateFile('C:\\tx.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: share, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
      const tx = yield* sim.io.NtCreateTransaction();
      const f = yield* sim.io.NtCreateFile('C:\\tx.txt', {
        DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
        ShareAccess: share,
        CreateDisposition: FILE_OPEN,
        CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
        Transaction: tx.handle,
      });
      if (f.handle !== null) {
        yield* sim.io.NtWriteFile(f.handle, 'written in the transaction', 0);
        yield* sim.io.NtClose(f.handle);
      }
      const status = outcome === 'commit' ? yield* sim.io.NtCommitTransaction(tx.handle) : yield* sim.io.NtRollbackTransaction(tx.handle);
      yield* sim.io.NtClose(tx.handle);
      if (reader.handle !== null) yield* sim.io.NtClose(reader.handle);
      return status;
    });
    sim.spawn('plain writer', function* () {
      const h = yield* openForWrite(sim, 'C:\\plain.txt');
      if (h === null) return 'open failed';
      yield* sim.io.NtWriteFile(h, 'changed', 0);
      yield* sim.io.NtClose(h);
      return 'done';
    });
    unloadAfter(sim, entry, CHANGE_NAME, unloadAt);
  });
  return image;
}

export const scenario: Scenario = {
  id: 'sample-change',
  description: 'WDK change: transaction-aware dirty tracking (TxDirty → Dirty on commit, dropped on rollback); args: TraceFlags (0xC), outcome (commit), unloadAt (20)',
  options: { onViolation: 'record' },
  build(sim, args) {
    changeSystem(sim, args);
  },
};
