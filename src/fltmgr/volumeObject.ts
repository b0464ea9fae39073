/** PFLT_VOLUME: a mounted volume and its device stack. Lifecycle in src/machines/volume.ts. */
import type { Actor } from 'xstate';
import { firstOperationSeen, volumeState, type volumeMachine, type VolumeState } from '../machines/volume.js';
import type { MemoryFileSystem } from '../fs/memoryFileSystem.js';
import type { FilterManager } from './filterManager.js';
import type { InstanceObject } from './instanceObject.js';
import { Rundown } from './rundown.js';
import { compareAltitudes } from '../wdk/altitude.js';

/**
 * What a legacy filter does with an IRP on its way down: pass it on (the default), or complete it
 * itself with a status, in which case nothing below sees it. It sees generated I/O only from
 * instances above it (§6).
 */
export type LegacyIrpHandler = (irp: { readonly MajorFunction: number; readonly fileName: string; readonly generated: boolean }) => 'pass' | { readonly complete: number };

export interface LegacyFilterSpec {
  readonly name: string;
  /** Sits directly above frame `aboveFrame`; -1 means directly above the file system (§6). */
  readonly aboveFrame: number;
  readonly onIrp?: LegacyIrpHandler;
}

export interface LegacyFilter {
  readonly id: string;
  readonly name: string;
  readonly aboveFrame: number;
  readonly onIrp: LegacyIrpHandler | null;
}

/** A node of the device stack, top (far from the FS) to bottom. */
export type StackNode =
  | { readonly kind: 'instance'; readonly instance: InstanceObject }
  | { readonly kind: 'legacy'; readonly legacy: LegacyFilter };

export interface VolumeSpec {
  /** Device name, e.g. `\Device\HarddiskVolume1`. */
  readonly name: string;
  /** Drive letter form, e.g. `C:`. */
  readonly dosName?: string;
  /** ReFS runs on the NTFS model of the in-memory file system and is named ReFS (§23.2). */
  readonly fsType?: 'NTFS' | 'FAT' | 'ReFS';
  /** Mounted read-only (FltIsVolumeWritable answers FALSE; the file system refuses writes). */
  readonly readOnly?: boolean;
  readonly deviceType?: 'FILE_DEVICE_DISK_FILE_SYSTEM' | 'FILE_DEVICE_NETWORK_FILE_SYSTEM' | 'FILE_DEVICE_CD_ROM_FILE_SYSTEM';
  readonly sectorSize?: number;
  /** The file system generates 8.3 aliases for long names (§21.6); default false. */
  readonly shortNames?: boolean;
}

export class VolumeObject {
  /** The stack's instances (`instances`), changed only by `insertInstance` and `removeInstance`. */
  readonly #instances: InstanceObject[] = [];
  /** Legacy filters attached to this volume, in load order. */
  readonly legacyFilters: LegacyFilter[] = [];
  readonly rundown: Rundown;
  /** Filters already offered this volume for automatic attachment (by filter id, in order). */
  readonly offeredTo: string[] = [];
  constructor(
    /** @internal */ readonly fltMgr: FilterManager,
    readonly id: string,
    readonly name: string,
    readonly dosName: string | null,
    readonly fsType: string,
    readonly deviceType: string,
    readonly sectorSize: number,
    /** @internal */ readonly actor: Actor<typeof volumeMachine>,
    /** The file system at the bottom of this volume's stack. */
    readonly fileSystem: MemoryFileSystem,
  ) {
    this.rundown = new Rundown(id, () => fltMgr.kernel.footprintRecorder);
  }

  /**
   * Instances holding or reserving an altitude here, highest altitude first. Looking at the list is
   * a read of the stack (`<volume>:stack`) for partial-order reduction (src/kernel/footprint.ts):
   * an attach changes it, so whatever walks the stack (I/O dispatch, enumeration, name providers,
   * teardown) stays ordered with attaches, while two attaches, which only insert, commute.
   */
  get instances(): readonly InstanceObject[] {
    this.fltMgr.kernel.footprintRecorder?.read(`${this.id}:stack`);
    return this.#instances;
  }

  /**
   * Whether a live instance holds `altitude` or the name `lowerName` (lower case): the attach's
   * collision check (§3), or null. It reads only the two slots it asks about (`<volume>:altitude:…`,
   * `<volume>:name:…`), which `insertInstance` and `removeInstance` write, and the state of an
   * instance found in one: whether attaches at other altitudes and names came first cannot change
   * its answer, so they commute with it.
   */
  holderOf(altitude: string, lowerName: string): { readonly instance: InstanceObject; readonly by: 'altitude' | 'name' } | null {
    const recorder = this.fltMgr.kernel.footprintRecorder;
    recorder?.read(`${this.id}:altitude:${altitude}`);
    recorder?.read(`${this.id}:name:${lowerName}`);
    for (const other of this.#instances) {
      // Both altitudes are normalised, so equal numbers are equal strings.
      if (other.altitude === altitude && !other.isGone) return { instance: other, by: 'altitude' };
      if (other.name.toLowerCase() === lowerName && !other.isGone) return { instance: other, by: 'name' };
    }
    return null;
  }

  /**
   * Link `instance` in altitude order. Inserts at distinct altitudes (the collision check makes them
   * distinct among live instances) give one list whichever comes first, so the stack is updated
   * (a commutative change), and the instance's altitude and name slots are written.
   */
  insertInstance(instance: InstanceObject): void {
    const recorder = this.fltMgr.kernel.footprintRecorder;
    recorder?.write(`${this.id}:altitude:${instance.altitude}`);
    recorder?.write(`${this.id}:name:${instance.name.toLowerCase()}`);
    recorder?.update(`${this.id}:stack`);
    const at = this.#instances.findIndex((other) => compareAltitudes(other.altitude, instance.altitude) < 0);
    this.#instances.splice(at < 0 ? this.#instances.length : at, 0, instance);
  }

  /**
   * Unlink `instance`, which is gone (Declined or Detached): its altitude and name become free.
   * Every reader of the list skips gone instances (they neither receive operations nor hold an
   * altitude), so no reader's answer changes, and the step that made it gone wrote the instance,
   * which a reader that passed over it read: nothing more to record.
   */
  removeInstance(instance: InstanceObject): void {
    const i = this.#instances.indexOf(instance);
    if (i >= 0) this.#instances.splice(i, 1);
  }

  get state(): VolumeState {
    return volumeState(this.actor.getSnapshot());
  }

  /**
   * The first operation has reached this mounted volume (its machine is Mounted.FirstOperationSeen):
   * by default the automatic attachment happened then (§13 A7).
   */
  get firstOperationSeen(): boolean {
    return firstOperationSeen(this.actor.getSnapshot());
  }

  /**
   * The device stack top to bottom (§6): for each frame from the highest, the legacy filters that
   * sit above it (latest load on top), then its receiving instances by descending altitude; last,
   * legacy filters directly above the file system.
   */
  stack(frameCount: number): StackNode[] {
    const nodes: StackNode[] = [];
    for (let k = frameCount - 1; k >= 0; k--) {
      this.pushLegacyAt(nodes, k);
      for (const instance of this.instances) {
        if (instance.frame === k && instance.receivesOperations) nodes.push(this.nodeOf(instance));
      }
    }
    this.pushLegacyAt(nodes, -1);
    return nodes;
  }

  /**
   * Each instance's node, made once: nodes are read-only, and every operation's path is built from
   * them (a node per instance per operation was a steady share of a schedule's allocation).
   */
  private readonly instanceNodes = new Map<InstanceObject, StackNode>();

  private nodeOf(instance: InstanceObject): StackNode {
    let node = this.instanceNodes.get(instance);
    if (node === undefined) this.instanceNodes.set(instance, (node = { kind: 'instance', instance }));
    return node;
  }

  /** The legacy filters right above frame `k` (-1: above the file system), latest load first. */
  private pushLegacyAt(nodes: StackNode[], k: number): void {
    for (let i = this.legacyFilters.length - 1; i >= 0; i--) {
      const legacy = this.legacyFilters[i]!;
      if (legacy.aboveFrame === k) nodes.push({ kind: 'legacy', legacy });
    }
  }

  toString(): string {
    return `${this.id}(${this.dosName ?? this.name})`;
  }
}
