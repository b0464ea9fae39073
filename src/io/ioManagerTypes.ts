/**
 * What the application calls of the I/O manager take and give back: the caller's token, NtCreateFile's
 * options and result, and the result of the calls on a handle (results replace out-parameters).
 */
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { FsOutput } from '../fs/types.js';

/** A token in the model: the caller's mode and SID. Defaults: UserMode, a standard user. */
export interface Requestor {
  readonly RequestorMode?: 'KernelMode' | 'UserMode';
  readonly sid?: string;
}

export interface CreateFileOptions extends Requestor {
  readonly DesiredAccess: number;
  readonly ShareAccess?: number;
  readonly CreateDisposition?: number;
  readonly CreateOptions?: number;
  readonly FileAttributes?: number;
  readonly AllocationSize?: number;
  /** IRP_MJ_CREATE stack flags, e.g. SL_OPEN_TARGET_DIRECTORY, SL_FORCE_ACCESS_CHECK. */
  readonly OperationFlags?: number;
  /**
   * A transaction handle from NtCreateTransaction: the open joins that transaction (what
   * CreateFileTransacted, or RtlSetCurrentTransaction before NtCreateFile, does), §22.4.
   */
  readonly Transaction?: string;
}

export interface CreateFileResult {
  readonly status: NTSTATUS;
  /** Create disposition result (FILE_OPENED, FILE_CREATED, …) or, after STATUS_REPARSE, the tag. */
  readonly information: number;
  readonly handle: string | null;
}

export interface IoResult<T = FsOutput | null> {
  readonly status: NTSTATUS;
  readonly information: number;
  readonly output: T;
}
