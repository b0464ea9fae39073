/**
 * The MetadataManager sample as a scenario: `fltsim run examples/samples/metadataManager` (or
 * `explore`).
 *
 * C: (NTFS) holds `\data.txt` and the sample's metadata file
 * `\System Volume Information\FilterMetadata.md`, so the automatic attachment finds it and attaches
 * (only a manual attachment creates it). The workload races what the sample exists to get right:
 *
 * - `chkdsk`: opens the volume (`C:`, sharing read and write), FSCTL_LOCK_VOLUME — which succeeds
 *   only because the filter closed its metadata file in the pre-FSCTL (§21.7) — then
 *   FSCTL_UNLOCK_VOLUME (the post-FSCTL re-opens the file), or FSCTL_DISMOUNT_VOLUME with
 *   `dismount=yes` (the post-FSCTL detaches the instance), and closes the volume handle;
 * - `app` (a second application thread): with `app=file` (default) opens, reads and closes
 *   `\data.txt` — an open file object on the volume, so a lock that lands while it is open fails;
 *   with `app=implicit` opens the volume sharing only read, an implicit lock as autochk takes one,
 *   which the filter answers in its pre-create as it answers FSCTL_LOCK_VOLUME; `app=no`: none;
 * - `fltmc unload fmm` (`unload=yes`): unloads the filter `unloadAt` ticks (default 1) after its
 *   DriverEntry returned; teardown closes the metadata file if the instance holds it.
 *
 * - the host's PnP manager or shutdown (`pnp=eject|surprise|shutdown`, default none), `pnpAt` ticks
 *   (default 0) after the drivers settled: an eject sends IRP_MN_QUERY_REMOVE_DEVICE (FmmPrePnp
 *   closes the metadata file; the file system refuses while the app's file is open, and the
 *   CANCEL_REMOVE's post-op re-opens it), then REMOVE or CANCEL; a surprise removal detaches the
 *   instance from FmmPrePnp; a shutdown detaches it from FmmPreShutdown. `chkdsk=no` leaves chkdsk out.
 *
 * `build`: `checked` (default: FLT_ASSERT stops the run, as on a DBG build) or `free` (asserts
 * compiled out). `variant`: `shipped` (default), `keepsHandle` (never gives the file up: the lock fails with
 * STATUS_ACCESS_DENIED), `keepsResource` (keeps its resource across FltCreateFile). `partner=yes`
 * (the default for keepsResource) adds the lower queue filter of queueFilter.ts and its flusher
 * thread, the other two parties of the wait-for cycle the keepsResource variant closes.
 */
import {
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_DATA,
  FSCTL_DISMOUNT_VOLUME,
  FSCTL_LOCK_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  sleep,
  UsageError,
  type Blocking,
  type NTSTATUS,
  type Scenario,
  type ScenarioArgs,
  type Simulation,
} from '../../../src/index.js';
import { dwordArg, flagArg, machine, VOLUME } from '../common/system.js';
import { FMM_INSTANCES, FMM_NAME, metadataManager, type FmmImage } from './metadataManagerInit.js';
import { FMM_METADATA_FILE_NAME, type FmmVariant } from './metadataManagerStruc.js';
import { loadQueueFilter, type QueueFilter } from './queueFilter.js';

export interface MetadataManagerRun {
  readonly image: FmmImage;
  readonly partner: QueueFilter | null;
  /** Filled in as the threads finish: the statuses each one saw. */
  readonly results: { open?: NTSTATUS; lock?: NTSTATUS; unlock?: NTSTATUS; dismount?: NTSTATUS; app?: NTSTATUS; unload?: NTSTATUS; flusher?: NTSTATUS; pnp?: NTSTATUS };
}

const VARIANTS: readonly FmmVariant[] = ['shipped', 'keepsHandle', 'keepsResource'];

function variantArg(args: ScenarioArgs): FmmVariant {
  const v = args['variant'] ?? 'shipped';
  if (typeof v !== 'string' || !(VARIANTS as readonly string[]).includes(v)) {
    throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument variant must be one of ${VARIANTS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as FmmVariant;
}

function appArg(args: ScenarioArgs): 'file' | 'implicit' | 'no' {
  const v = args['app'] ?? 'file';
  if (v === 'file' || v === 'implicit' || v === 'no') return v;
  throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument app must be file, implicit or no, got ${JSON.stringify(v)}`);
}

function pnpArg(args: ScenarioArgs): 'eject' | 'surprise' | 'shutdown' | 'no' {
  const v = args['pnp'] ?? 'no';
  if (v === 'eject' || v === 'surprise' || v === 'shutdown' || v === 'no') return v;
  throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument pnp must be eject, surprise, shutdown or no, got ${JSON.stringify(v)}`);
}

/** What chkdsk does: open the volume, lock it, then unlock or dismount it, and close. */
function* chkdsk(sim: Simulation, dismount: boolean, results: MetadataManagerRun['results']): Blocking<void> {
  const volume = yield* sim.io.NtCreateFile('C:', { DesiredAccess: FILE_READ_DATA | FILE_WRITE_DATA, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN });
  results.open = volume.status;
  if (volume.handle === null) return;
  results.lock = (yield* sim.io.NtFsControlFile(volume.handle, FSCTL_LOCK_VOLUME, null, 0, 0)).status;
  if (dismount) results.dismount = (yield* sim.io.NtFsControlFile(volume.handle, FSCTL_DISMOUNT_VOLUME, null, 0, 0)).status;
  else results.unlock = (yield* sim.io.NtFsControlFile(volume.handle, FSCTL_UNLOCK_VOLUME, null, 0, 0)).status;
  yield* sim.io.NtClose(volume.handle);
}

/** Build the machine, load the sample (and its partner) and queue the workload. */
export function buildMetadataManager(sim: Simulation, args: ScenarioArgs = {}): MetadataManagerRun {
  const variant = variantArg(args);
  const results: MetadataManagerRun['results'] = {};
  machine(sim, { '\\data.txt': 'data', [FMM_METADATA_FILE_NAME]: 'fmm metadata' });
  const partner = flagArg(args, 'partner', variant === 'keepsResource') ? loadQueueFilter(sim, VOLUME) : null;
  const build = args['build'] ?? 'checked';
  if (build !== 'checked' && build !== 'free') throw new UsageError('BAD_SCENARIO_ARGUMENT', `scenario argument build must be checked or free, got ${JSON.stringify(build)}`);
  const image = metadataManager({ DebugLevel: dwordArg(args, 'DebugLevel', 1, 0), variant, checked: build === 'checked' });
  sim.loadDriver({ name: FMM_NAME, instances: FMM_INSTANCES }, image.DriverEntry);
  const dismount = flagArg(args, 'dismount', false);
  const unloadAt = dwordArg(args, 'unloadAt', 1, 0);
  const app = appArg(args);
  const pnp = pnpArg(args);
  const pnpAt = dwordArg(args, 'pnpAt', 0, 0);
  const withChkdsk = flagArg(args, 'chkdsk', true);
  sim.whenSettled(() => {
    if (withChkdsk) sim.spawn('chkdsk', () => chkdsk(sim, dismount, results));
    if (pnp !== 'no') {
      sim.spawn(`host ${pnp}`, function* () {
        yield* sleep(pnpAt);
        const volume = sim.volume('C:')!;
        const thread = pnp === 'eject' ? sim.ejectVolume(volume) : pnp === 'surprise' ? sim.surpriseRemoveVolume(volume) : sim.shutdownSystem();
        results.pnp = (yield* sim.join(thread)) as NTSTATUS;
      });
    }
    if (app === 'file') {
      sim.spawn('app', function* () {
        const r = yield* sim.io.NtCreateFile('C:\\data.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        results.app = r.status;
        if (r.handle === null) return;
        yield* sim.io.NtReadFile(r.handle, 4, 0);
        yield* sim.io.NtClose(r.handle);
      });
    } else if (app === 'implicit') {
      sim.spawn('app', function* () {
        const r = yield* sim.io.NtCreateFile('C:', { DesiredAccess: FILE_READ_DATA, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
        results.app = r.status;
        if (r.handle !== null) yield* sim.io.NtClose(r.handle);
      });
    }
    partner?.flusher((status) => (results.flusher = status));
    if (flagArg(args, 'unload', true)) {
      sim.spawn(`fltmc unload ${FMM_NAME}`, function* () {
        yield* sleep(unloadAt);
        results.unload = yield* sim.FilterUnload(FMM_NAME);
      });
    }
  });
  return { image, partner: partner?.filter ?? null, results };
}

export const scenario: Scenario = {
  id: 'sample-metadataManager',
  description:
    'the WDK MetadataManager sample: a per-volume metadata file released for FSCTL_LOCK_VOLUME / DISMOUNT and re-opened after, raced by a second application thread and the unload; args: variant (shipped|keepsHandle|keepsResource), build (checked|free), dismount, app (file|implicit|no), unload, unloadAt, partner, pnp (eject|surprise|shutdown|no), pnpAt, chkdsk, DebugLevel',
  options: { onViolation: 'record' },
  build(sim, args) {
    buildMetadataManager(sim, args);
  },
};

export default scenario;
