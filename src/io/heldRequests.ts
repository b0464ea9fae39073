/**
 * File-system requests whose completion the host decides (`fileSystemCompletion: 'host'`,
 * docs/embedding.md "File-system timing"): the TigerBeetle/FoundationDB pattern, where the storage
 * model belongs to the host. Each request the file system receives pends; the host is told what it
 * is (major function, file, offset, length) and later says when it completes and how — now, at a
 * virtual time, with an error status or a short transfer. Everything else (which ready thread runs,
 * where post-operations interleave) stays the strategy's.
 *
 * The host's answer is a recorded action (`fltsim.completeRequest`, src/host/actions.ts), so a
 * restore repeats it at the same step.
 *
 * Cancellation (§19.1, §19.2): the host is the file system here, and a file system decides whether a
 * request it is performing is cancellable — it owns the cancel routine. NTFS arms none on an
 * ordinary read or write, so the request keeps only the cancel bit: IoCancelIrp returns FALSE and
 * the host is told (`cancelRequested` in `sim.heldRequests()`, and the IoCancelIrp fact). It answers
 * as it likes: `{ status: STATUS_CANCELLED }` to honour the cancel, or a normal completion (the
 * cancel came too late).
 */
import { UsageError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Waitable } from '../kernel/waitable.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';

/** What the host is told about a held request. */
export interface PendingFsRequest {
  /** The operation (callback data) id, `D…`: what `completeRequest` names. */
  readonly id: string;
  /** IRP_MJ_… number. */
  readonly major: number;
  /** The file object and its name on the volume. */
  /** null for a volume-level request (IRP_MJ_PNP, IRP_MJ_SHUTDOWN), which no file object carries. */
  readonly fileObject: string | null;
  readonly fileName: string;
  /** Byte offset and length of a read or write; null for other requests. */
  readonly offset: number | null;
  readonly length: number | null;
  /** The tick it reached the file system. */
  readonly since: number;
  /** The request's cancel bit is set (CancelIo, CancelIoEx, CancelSynchronousIo, FltCancelIo, thread exit): the host decides whether to honour it. */
  readonly cancelRequested: boolean;
}

/** How the host completes a request: every field optional. */
export interface RequestCompletion {
  /** Virtual time (tick) of completion, not before now; default now. */
  readonly at?: number;
  /** A fault: fail the request with this NTSTATUS instead of performing it. */
  readonly status?: NTSTATUS;
  /** A short transfer: at most this many bytes of a read or write are reported done. */
  readonly information?: number;
}

/**
 * Who decides when a pended file-system request completes. Asked once per request, at dispatch:
 * a completion now (`{}`), at a tick (`{ at }`), with a fault (`{ status }`, `{ information }`), or
 * `'hold'` — the host answers later with `completeRequest`. The built-in modes are two such
 * timings: `fileSystemCompletion: 'deferred'` is `fixedLatency(fileSystemLatency)`, `'host'` is
 * `hostDecides`.
 */
export interface FileSystemTiming {
  decide(request: PendingFsRequest): RequestCompletion | 'hold';
}

/** Every request completes `ticks` after it reached the file system (`fileSystemCompletion: 'deferred'`). */
export function fixedLatency(ticks: number): FileSystemTiming {
  return { decide: (request) => ({ at: request.since + ticks }) };
}

/** Every request waits for the host (`fileSystemCompletion: 'host'`). */
export const hostDecides: FileSystemTiming = { decide: () => 'hold' };

interface Held {
  readonly request: Omit<PendingFsRequest, 'cancelRequested'>;
  readonly cancelRequested: () => boolean;
  readonly released: Waitable;
  decision: RequestCompletion | null;
}

/** The requests held for the host, in arrival order. */
export class HeldRequests {
  private readonly held = new Map<string, Held>();

  constructor(private readonly kernel: Kernel) {}

  /** Hold `request`; returns the waitable its completion thread waits on. */
  hold(request: Omit<PendingFsRequest, 'cancelRequested'>, cancelRequested: () => boolean): Waitable {
    const released = this.kernel.createWaitable(`host completion of ${request.id}`, 'notification');
    this.held.set(request.id, { request, cancelRequested, released, decision: null });
    return released;
  }

  /** Requests the host has not completed yet, in arrival order. */
  pending(): PendingFsRequest[] {
    return [...this.held.values()].filter((h) => h.decision === null).map((h) => ({ ...h.request, cancelRequested: h.cancelRequested() }));
  }

  /** The host's answer for `id`: checked, then its completion thread is released. */
  complete(id: string, completion: RequestCompletion): void {
    const h = this.held.get(id);
    if (h === undefined || h.decision !== null) {
      const pending = this.pending().map((r) => r.id);
      throw new UsageError('NOT_HELD', `no request ${id} waits for the host (held now: ${pending.length === 0 ? 'none' : pending.join(', ')})`, this.kernel.place());
    }
    const at = completion.at ?? this.kernel.now;
    if (!Number.isSafeInteger(at) || at < this.kernel.now) throw new UsageError('BAD_TIME', `completeRequest ${id}: at must be a whole tick not before now (${this.kernel.now}), got ${String(at)}`, this.kernel.place());
    if (completion.status !== undefined && (!Number.isSafeInteger(completion.status) || completion.status >>> 30 < 2 || completion.status >>> 0 !== completion.status)) {
      throw new UsageError('BAD_ARGUMENT', `completeRequest ${id}: status must be an NTSTATUS warning or error (0x80000000 and above), got ${String(completion.status)}`, this.kernel.place());
    }
    if (completion.information !== undefined && (!Number.isSafeInteger(completion.information) || completion.information < 0)) {
      throw new UsageError('BAD_ARGUMENT', `completeRequest ${id}: information must be a whole number of bytes, got ${String(completion.information)}`, this.kernel.place());
    }
    h.decision = { ...completion, at };
    this.kernel.signal(h.released);
  }

  /** The decision for `id`, once released (its completion thread reads it and forgets the request). */
  take(id: string): RequestCompletion {
    const h = this.held.get(id)!;
    this.held.delete(id);
    return h.decision!;
  }
}
