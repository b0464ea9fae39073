/**
 * Race (d): a filter that opens a file of its own from its pre-create with FltCreateFile and
 * Instance = NULL. That create starts at the top of the stack (§14 invariant 1's exception), so it
 * reaches the same pre-create on the same thread, which opens again, without end: the verifier
 * reports CALLBACK_RECURSION with the chain of creates once the pre-create has been entered more
 * than MAX_CALLBACK_REENTRY times (on Windows the kernel stack overflows). The fix passes its own
 * instance, so its create is seen only by the instances below it.
 */
import { FltClose, FltCreateFile } from '../../issuedIo/createFile.js';
import { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ } from '../../wdk/fileConstants.js';
import { FLT_PREOP_SUCCESS_NO_CALLBACK } from '../../wdk/fltConstants.js';
import { IRP_MJ_CREATE } from '../../wdk/irp.js';
import type { Scenario } from '../scenario.js';
import { installFilter, operations } from '../builders/filterBuilder.js';
import { FILE, variantOf, VARIANT_ARGUMENT, volumeWithFile } from './common.js';

export const recursionScenario: Scenario = {
  id: 'race-reentrant-create',
  description: 'a pre-create that reissues a create from the top of the stack (Instance = NULL) re-enters itself; args: variant (buggy|fixed)',
  options: { onViolation: 'record' },
  // No JavaScript state is shared between threads.
  sharedState: 'cells',
  windows: [
    {
      name: 'a create starts while a pre-create is running (the filter reissues from its pre-create)',
      opensAt: (f) => f.type === 'PreOperation',
      closesAt: (f) => f.type === 'PreOperationReturned',
      hitBy: (f) => f.type === 'IoStart' && f.major === IRP_MJ_CREATE,
    },
    {
      name: 'a second create from above the stack starts while one is in flight',
      opensAt: (f) => f.type === 'IoStart' && f.major === IRP_MJ_CREATE && f.initiator === null,
      closesAt: (f) => f.type === 'IoComplete',
      hitBy: (f) => f.type === 'IoStart' && f.major === IRP_MJ_CREATE && f.initiator === null,
    },
  ],
  arguments: VARIANT_ARGUMENT,
  build(sim, args) {
    const variant = variantOf(args);
    volumeWithFile(sim);
    sim.fileSystem('C:').writeFile('\\policy.dat', 'allow');
    installFilter(sim, {
      name: 'policy',
      altitude: '320000',
      registration: {
        OperationRegistration: operations([IRP_MJ_CREATE], {
          PreOperation: function* (_data, objects) {
            const instance = variant === 'fixed' ? objects.Instance : null;
            const r = yield* FltCreateFile(objects.Filter, instance, FILE_GENERIC_READ, { ObjectName: 'C:\\policy.dat' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
            if (r.FileHandle !== null) yield* FltClose(r.FileHandle);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          },
        }),
      },
    });
    sim.whenSettled(() => {
      for (const name of ['app 1', 'app 2']) {
        sim.spawn(name, function* () {
          const open = yield* sim.io.NtCreateFile(FILE, { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
          if (open.handle !== null) yield* sim.io.NtClose(open.handle);
          return open.status;
        });
      }
    });
  },
};
