/**
 * FLT_FILE_NAME_INFORMATION as filters see it, and the record behind it (§16.1, §16.4).
 *
 * The structure is FltMgr's: shared by every filter that gets it from the cache, reference counted,
 * never to be modified by a filter. Its lifecycle is src/machines/fileNameInformation.ts; the
 * references each filter holds are data here, so Filter Verifier's per-filter checks (a release
 * the filter does not own, a leak at its unload) can be made.
 */
import type { Actor } from 'xstate';
import type { fileNameInformationMachine, FileNameInformationState } from '../../machines/fileNameInformation.js';
import type { FileNameState } from './nameState.js';

/** The public structure. Strings stand for UNICODE_STRINGs; absent parts are ''. */
export interface FLT_FILE_NAME_INFORMATION {
  readonly Size: number;
  /** FLTFL_FILE_NAME_PARSED_*: set by FltParseFileNameInformation for each part it parsed. */
  readonly NamesParsed: number;
  /** FLT_FILE_NAME_NORMALIZED / _OPENED / _SHORT. */
  readonly Format: number;
  readonly Name: string;
  readonly Volume: string;
  readonly Share: string;
  readonly Extension: string;
  readonly Stream: string;
  readonly FinalComponent: string;
  readonly ParentDir: string;
}

/** sizeof(FLT_FILE_NAME_INFORMATION) on x64: two USHORTs, a ULONG and seven UNICODE_STRINGs. */
export const FLT_FILE_NAME_INFORMATION_SIZE = 120;

const RECORD = Symbol('fltsim.fileNameInformation');

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class FileNameRecord {
  readonly info: Mutable<FLT_FILE_NAME_INFORMATION>;
  /** What FltMgr last wrote into `info`, to notice a filter writing into it (§19.9 invariant 8). */
  private written: string;
  /** References each filter holds, by filter id. */
  readonly byFilter = new Map<string, number>();
  /** The name-cache entry holding the structure, if any. */
  cacheKey: string | null = null;

  constructor(
    /** The simulation's name state this structure belongs to. */
    readonly home: FileNameState,
    readonly id: string,
    readonly volumeId: string,
    readonly fileObjectId: string,
    /** The provider instance that produced the name, or null for the file system. */
    readonly providerId: string | null,
    /** The file the name is for (FsContext), when known: the cache drops it on rename. */
    readonly fileId: number | null,
    /** @internal */ readonly actor: Actor<typeof fileNameInformationMachine>,
    info: FLT_FILE_NAME_INFORMATION,
  ) {
    this.info = { ...info };
    Object.defineProperty(this.info, RECORD, { value: this, enumerable: false });
    this.written = JSON.stringify(this.info);
  }

  get state(): FileNameInformationState {
    return this.actor.getSnapshot().value as FileNameInformationState;
  }

  get references(): number {
    let total = 0;
    for (const n of this.byFilter.values()) total += n;
    return total;
  }

  /** One filter id per reference, sorted (the view in sim.state()). */
  referenceList(): string[] {
    const out: string[] = [];
    for (const [filter, n] of this.byFilter) for (let i = 0; i < n; i++) out.push(filter);
    return out.sort();
  }

  addReference(filterId: string): void {
    this.byFilter.set(filterId, (this.byFilter.get(filterId) ?? 0) + 1);
  }

  dropReference(filterId: string): void {
    const left = (this.byFilter.get(filterId) ?? 0) - 1;
    if (left > 0) this.byFilter.set(filterId, left);
    else this.byFilter.delete(filterId);
  }

  /** FltMgr's own writes (FltParseFileNameInformation) go through here. */
  update(fields: Partial<FLT_FILE_NAME_INFORMATION>): void {
    Object.assign(this.info, fields);
    this.written = JSON.stringify(this.info);
  }

  /** Whether someone other than FltMgr changed the structure since FltMgr last wrote it. */
  get modified(): boolean {
    return JSON.stringify(this.info) !== this.written;
  }
}

/** The record behind a structure fltsim handed out, or null for anything else. */
export function nameRecordOf(info: unknown): FileNameRecord | null {
  if (info === null || typeof info !== 'object') return null;
  const record = (info as Record<symbol, unknown>)[RECORD];
  return record instanceof FileNameRecord ? record : null;
}
