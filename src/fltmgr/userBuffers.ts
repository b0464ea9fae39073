/**
 * FltLockUserBuffer (§20): on Windows it builds and locks an MDL for a user buffer so another
 * thread (a worker) can reach it. The model has no user address spaces and never pages a buffer
 * out, so locking always succeeds and changes nothing [model]; the routine is here so filters keep
 * their C structure (cancelSafe's worker calls it before completing a pended read).
 */
import { callbackDataRef } from '../io/callbackDataRef.js';
import type { FLT_CALLBACK_DATA } from '../io/ioOperation.js';
import { STATUS_SUCCESS, type NTSTATUS } from '../wdk/ntstatus.js';

export function FltLockUserBuffer(CallbackData: FLT_CALLBACK_DATA): NTSTATUS {
  callbackDataRef(CallbackData, 'FltLockUserBuffer');
  return STATUS_SUCCESS;
}
