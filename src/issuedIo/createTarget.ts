/**
 * FLT_CREATEFILE_TARGET_ECP_CONTEXT (§22.3): how FltCreateFileEx2 continues a targeted create that
 * a mount point or symbolic link sent to another volume. Without this ECP such a create ends with
 * STATUS_MOUNT_POINT_NOT_RESOLVED (the instance's stack cannot be left, §21.11). With it, FltMgr
 * looks for an instance of the calling filter on the other volume and
 * - FLTTCFL_AUTO_REPARSE set and an instance there: sends the create on, below that instance;
 * - otherwise: ends the create (STATUS_MOUNT_POINT_NOT_RESOLVED) and leaves the target in the ECP
 *   for the caller to decide — the volume and the name always, the instance when the caller asked
 *   to handle the reparse itself (flag clear) and has one there.
 * Either way the ECP comes back acknowledged, and what it holds (Instance, Volume,
 * FileNameInformation) are references the caller releases: FltObjectDereference for the two
 * objects, FltReleaseFileNameInformation for the name, then FltPrepareToReuseEcp before the list
 * goes into another create. A leaked one shows as any leaked reference does (an unload that waits
 * for the instance, a name reported at unload).
 *
 * Model choices the documentation leaves open, written down in docs/semantics.md §22.3: one
 * adjustment per create (an acknowledged ECP was processed, so a second crossing in the same
 * create ends it, as without the ECP); the caller's instance on the other volume is its highest
 * one there; the ECP is filled on an automatic retry too (its Instance is where the create went).
 */
import type { FilterManager } from '../fltmgr/filterManager.js';
import type { FilterObject } from '../fltmgr/filterObject.js';
import type { InstanceObject } from '../fltmgr/instanceObject.js';
import type { VolumeObject } from '../fltmgr/volumeObject.js';
import type { EcpListObject, EcpObject } from '../fltmgr/ecpObjects.js';
import type { FLT_FILE_NAME_INFORMATION } from '../fltmgr/names/fileNameRecord.js';
import { createName } from '../fltmgr/names/nameQuery.js';
import { referenceObject } from '../fltmgr/references.js';
import type { FileObject } from '../io/fileObject.js';
import { FLTTCFL_AUTO_REPARSE, GUID_ECP_FLT_CREATEFILE_TARGET } from '../wdk/fltConstants.js';
import { FLT_FILE_NAME_OPENED } from '../wdk/nameConstants.js';
import { NT_SUCCESS } from '../wdk/ntstatus.js';
import { badArgument } from '../kernel/arguments.js';

/**
 * The ECP's data, as the caller fills it before the create and FltMgr after a crossing. A type, not
 * an interface, so that an ECP holding it passes wherever an ECP of plain records does.
 */
export type FLT_CREATEFILE_TARGET_ECP_CONTEXT = {
  Instance: InstanceObject | null;
  Volume: VolumeObject | null;
  FileNameInformation: FLT_FILE_NAME_INFORMATION | null;
  /** 0 or FLTTCFL_AUTO_REPARSE. */
  Flags: number;
};

/** sizeof(FLT_CREATEFILE_TARGET_ECP_CONTEXT) on x64: three pointers and a ULONG, padded. */
export const FLT_CREATEFILE_TARGET_ECP_CONTEXT_SIZE = 32;

/** The create's target ECP, if it carries one FltMgr has not processed yet (inserted, not acknowledged). */
export function targetEcpOf(list: EcpListObject | null): EcpObject<FLT_CREATEFILE_TARGET_ECP_CONTEXT> | null {
  const ecp = list?.ecps.find((e) => e.EcpType === GUID_ECP_FLT_CREATEFILE_TARGET) ?? null;
  return ecp !== null && ecp.state === 'Inserted' ? (ecp as unknown as EcpObject<FLT_CREATEFILE_TARGET_ECP_CONTEXT>) : null;
}

/** Does the caller ask FltMgr to send the create on itself? Flags is the caller's ULONG. */
export function autoReparse(routine: string, ecp: EcpObject<FLT_CREATEFILE_TARGET_ECP_CONTEXT>): boolean {
  const flags: unknown = ecp.Data.Flags ?? 0;
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw badArgument(routine, `${ecp}: FLT_CREATEFILE_TARGET_ECP_CONTEXT.Flags is ${String(flags)}, not 0 or FLTTCFL_AUTO_REPARSE`);
  }
  return (flags & FLTTCFL_AUTO_REPARSE) !== 0;
}

/** The calling filter's instance on `volume` a create may continue below: attached and taking I/O, the highest first. */
export function callersInstanceOn(filter: FilterObject, volume: VolumeObject): InstanceObject | null {
  // volume.instances is in altitude order, highest first.
  return volume.instances.find((i) => i.filter === filter && i.state === 'Attached' && i.receivesOperations) ?? null;
}

/**
 * Write the target into the ECP and acknowledge it: a reference on the instance (when given) and
 * on the volume, a new name information for the name on that volume, then the fact.
 */
export function recordTarget(
  fltMgr: FilterManager,
  filter: FilterObject,
  ecp: EcpObject<FLT_CREATEFILE_TARGET_ECP_CONTEXT>,
  crossedFrom: FileObject,
  instance: InstanceObject | null,
  target: { readonly volume: VolumeObject; readonly fileName: string },
  retried: boolean,
): void {
  const Instance = instance !== null && NT_SUCCESS(referenceObject(fltMgr, instance)) ? instance : null;
  // A volume that cannot be referenced any more (dismounting) is left out, as FltGetVolumeFromName would.
  const Volume = NT_SUCCESS(referenceObject(fltMgr, target.volume)) ? target.volume : null;
  const name = createName(
    fltMgr,
    { routine: 'FltCreateFileEx2', caller: Instance, filterId: filter.id, fileObject: crossedFrom, op: null, data: null, options: FLT_FILE_NAME_OPENED },
    FLT_FILE_NAME_OPENED,
    `${target.volume.name}${target.fileName}`,
    null,
    null,
  );
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: ecp.id, type: 'EcpTargetAdjusted', instance: Instance?.id ?? null, volume: Volume?.id ?? null, name: name.id, retried });
  ecp.Data.Instance = Instance;
  ecp.Data.Volume = Volume;
  ecp.Data.FileNameInformation = name.info;
}
