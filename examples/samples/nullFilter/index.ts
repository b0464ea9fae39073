/**
 * `fltsim run examples/samples/nullFilter`: the nullFilter sample on C:, with `apps` applications
 * (default 2) writing and reading files, `fltmc attach NullFilter C:` (the INF suppresses automatic
 * attachment, so this is the only way it gets an instance) and `fltmc unload NullFilter` after
 * `unloadAt` ticks (default 3) while the instance is attached.
 */
import { SYSTEM_SID, sleep, type Scenario } from '../../../src/index.js';
import { dwordArg, machine, openForWrite, unloadAfter } from '../common/system.js';
import { NULL_FILTER_FILTER_NAME, NULL_FILTER_INSTANCES, nullFilter } from './nullFilter.js';

export const scenario: Scenario = {
  id: 'sample-nullFilter',
  description: 'WDK nullFilter: no operations, attached by hand, unloaded with its instance attached; args: apps (2), unloadAt (3)',
  options: { onViolation: 'record' },
  build(sim, args) {
    const apps = dwordArg(args, 'apps', 2, 0);
    const unloadAt = dwordArg(args, 'unloadAt', 3, 0);
    machine(sim, { '\\readme.txt': 'null' });
    const { DriverEntry } = nullFilter();
    const entry = sim.loadDriver({ name: NULL_FILTER_FILTER_NAME, instances: NULL_FILTER_INSTANCES }, DriverEntry);
    sim.whenSettled(() => {
      sim.spawn('fltmc attach NullFilter C:', () => sim.FilterAttach(NULL_FILTER_FILTER_NAME, 'C:'), { token: SYSTEM_SID });
      for (let a = 1; a <= apps; a++) {
        sim.spawn(`app ${a}`, function* () {
          const handle = yield* openForWrite(sim, `C:\\app${a}.txt`);
          if (handle === null) return 'open failed';
          yield* sim.io.NtWriteFile(handle, `from app ${a}`, 0);
          yield* sleep(1);
          yield* sim.io.NtReadFile(handle, 16, 0);
          yield* sim.io.NtClose(handle);
          return 'done';
        });
      }
      unloadAfter(sim, entry, NULL_FILTER_FILTER_NAME, unloadAt);
    });
  },
};
