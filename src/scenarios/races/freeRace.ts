/**
 * Race (e): free of callback data before its asynchronous callback ran.
 *
 * The worker issues an asynchronous read with FltPerformAsynchronousIo and then, guessing that one
 * tick is enough for the disk, sleeps a tick and frees the data. Whether the completion callback
 * has run by then depends on the schedule; when it has not, the verifier reports
 * FREE_BEFORE_CALLBACK (§14 invariant 13). The fix frees the data in the completion callback.
 */
import type { FLT_RELATED_OBJECTS } from '../../fltmgr/registration.js';
import { FltAllocateCallbackData, FltFreeCallbackData, FltPerformAsynchronousIo } from '../../issuedIo/callbackDataRoutines.js';
import { FltClose, FltCreateFileEx, ObDereferenceObject } from '../../issuedIo/createFile.js';
import { sleep, type Blocking } from '../../kernel/effects.js';
import { FILE_GENERIC_READ, FILE_OPEN, FILE_SHARE_READ } from '../../wdk/fileConstants.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import type { Scenario } from '../scenario.js';
import { installFilter } from '../builders/filterBuilder.js';
import { FILE, installLowerReader, readParams, variantOf, VARIANT_ARGUMENT, volumeWithFile, type Variant } from './common.js';
import type { Simulation } from '../../simulation.js';

export const freeRaceScenario: Scenario = {
  id: 'race-free-before-callback',
  description: 'a worker frees its callback data a tick after FltPerformAsynchronousIo, racing the completion callback; args: variant (buggy|fixed)',
  options: { fileSystemCompletion: 'deferred', fileSystemLatency: 1, onViolation: 'record' },
  sharedState: 'cells',
  windows: [
    {
      // Reached by the bug only: the fix frees inside the callback, after the window closed.
      name: 'the data is freed between FltPerformAsynchronousIo and its completion callback',
      opensAt: (f) => f.type === 'IoStart' && f.initiator !== null,
      closesAt: (f) => f.type === 'AsyncIoCallback',
      hitBy: (f) => f.type === 'FltFreeCallbackData' || (f.type === 'VerifierViolation' && f.rule === 'FREE_BEFORE_CALLBACK'),
    },
  ],
  arguments: VARIANT_ARGUMENT,
  build(sim, args) {
    const variant = variantOf(args);
    volumeWithFile(sim);
    const objects = sim.sharedCell<FLT_RELATED_OBJECTS | null>('reader objects', null);
    installFilter(sim, { name: 'reader', altitude: '300000', registration: { InstanceSetupCallback: (o) => (objects.set(o), STATUS_SUCCESS) } });
    installLowerReader(sim);
    sim.whenSettled(() => {
      const o = objects.get()!;
      sim.spawn('reader worker', () => readerWorker(sim, o, variant));
    });
  },
};

/**
 * The worker's thread: open, allocate, read asynchronously, free (too early in the buggy variant).
 * A module-level generator behind an arrow rather than a generator expression, so that each
 * schedule's simulation dies young (docs/exploration.md, "Memory").
 */
function* readerWorker(sim: Simulation, o: FLT_RELATED_OBJECTS, variant: Variant): Blocking<unknown> {
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: FILE }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
  if (r.FileObject === null) return r.status;
  const { data } = FltAllocateCallbackData(o.Instance, r.FileObject);
  if (data === null) return 'no callback data';
  readParams(data, 0, 4);
  const done = sim.sharedCell('read done', false);
  yield* FltPerformAsynchronousIo(data, (d) => {
    done.set(true);
    if (variant === 'fixed') FltFreeCallbackData(d);
  }, null);
  yield* sleep(1);
  if (variant === 'buggy') FltFreeCallbackData(data);
  while (!done.get()) yield* sleep(1);
  yield* FltClose(r.FileHandle!);
  yield* ObDereferenceObject(r.FileObject);
  return STATUS_SUCCESS;
}
