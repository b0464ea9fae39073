/**
 * Requests a test or a scenario holds in the file system (issue 12, item 6 in part): a hold
 * matches requests by path, major function, or a predicate; a matching request stays in the file
 * system (STATUS_PENDING, cancellable, as an oplock or a change-notify wait is, §19.2) until the
 * hold releases it — run normally then, or completed with a chosen status — or until it is
 * cancelled, when it completes with STATUS_CANCELLED, or until IRP_MJ_CLEANUP of its file object,
 * when the file system completes it with STATUS_CANCELLED as every driver's DispatchCleanup does with
 * the requests it queued for that file object. The file system only keeps the list; the I/O path
 * (src/io/fileSystemStage.ts) parks the request and completes it on an I/O completion thread.
 */
import { optionalShapeArgument } from '../kernel/dataArguments.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';

/** What a hold sees of a request: enough to choose one. */
export interface HeldRequestInfo {
  /** The operation (D…). */
  readonly operation: string;
  readonly MajorFunction: number;
  /** The file object's name on the volume (`\dir\f.txt`). */
  readonly fileName: string;
  /** The file object (O…): what IRP_MJ_CLEANUP of that file object completes. */
  readonly fileObject: string;
}

export interface FsHoldSpec {
  /** The file name, compared without case. */
  readonly path?: string;
  readonly MajorFunction?: number;
  readonly match?: (request: HeldRequestInfo) => boolean;
}

/** A held request; `complete` is the I/O path's: false when a cancel got there first. */
export interface HeldRequest extends HeldRequestInfo {
  /** @internal `by` names who took the cancel routine back (the release, or IRP_MJ_CLEANUP). */
  readonly complete: (status: NTSTATUS | null, by?: string) => boolean;
}

export class FsHold {
  readonly held: HeldRequest[] = [];
  active = true;

  constructor(readonly spec: FsHoldSpec) {
    optionalShapeArgument('FsHold', 'spec', spec, { path: 'string?', MajorFunction: 'integer?', match: 'function?' }, 'an FsHoldSpec ({ path?, MajorFunction?, match? })');
    this.spec = spec ?? {};
  }

  matches(request: HeldRequestInfo): boolean {
    const { path, MajorFunction, match } = this.spec;
    if (path !== undefined && path.toLowerCase() !== request.fileName.toLowerCase()) return false;
    if (MajorFunction !== undefined && MajorFunction !== request.MajorFunction) return false;
    return match === undefined || match(request);
  }

  /**
   * Let the held requests go, oldest first: the file system runs each now (no `status`) or
   * completes it with `status`. Returns how many it released (a request being cancelled is the
   * cancel's). Completion happens on I/O completion threads the scheduler runs.
   */
  release(status?: NTSTATUS): number {
    let released = 0;
    for (const request of this.held.splice(0)) if (request.complete(status ?? null)) released++;
    return released;
  }

  /** Release one held request (by operation id); false if it is not held. */
  releaseOne(operation: string, status?: NTSTATUS): boolean {
    const at = this.held.findIndex((r) => r.operation === operation);
    if (at < 0) return false;
    const [request] = this.held.splice(at, 1);
    return request!.complete(status ?? null);
  }

  /**
   * IRP_MJ_CLEANUP of `fileObject` reached the file system: it takes back the cancel routine of each
   * request it holds for that file object and completes it with STATUS_CANCELLED (a request whose
   * cancel routine was already called is the cancel's). Returns how many it completed.
   */
  cleanup(fileObject: string, status: NTSTATUS): number {
    let completed = 0;
    for (const request of this.held.filter((r) => r.fileObject === fileObject)) if (request.complete(status, 'IRP_MJ_CLEANUP')) completed++;
    return completed;
  }

  /** Hold no new requests; those held stay until released or cancelled. */
  stop(): void {
    this.active = false;
  }
}
