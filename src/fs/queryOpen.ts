/**
 * FastIoQueryOpen (IRP_MJ_NETWORK_QUERY_OPEN, §24.2): the file system opens the file named by the
 * stack-based file object, reads its FILE_NETWORK_OPEN_INFORMATION and closes it again, all inside
 * the one call — no IRP_MJ_CREATE, CLEANUP or CLOSE reaches a filter. The open asks for
 * FILE_READ_ATTRIBUTES and shares everything, so it never meets a sharing violation.
 *
 * It returns null (the fast routine's FALSE, so the I/O manager opens, queries and closes with IRPs)
 * where the fast call cannot finish the request itself: the name crosses a reparse point (the
 * I/O manager must follow it), or an oplock on the volume might make the open wait for a break.
 */
import type { FsState } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { complete } from './types.js';
import { create } from './create.js';
import { cleanup, close } from './lifecycle.js';
import { queryInformation } from './information.js';
import { FILE_INFORMATION_CLASS } from '../wdk/fileConstants.js';
import { parametersMember } from '../wdk/parameters.js';
import { FILE_READ_ATTRIBUTES, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE } from '../wdk/createConstants.js';
import { IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CREATE, IRP_MJ_QUERY_INFORMATION } from '../wdk/irp.js';
import { NT_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_REPARSE } from '../wdk/ntstatus.js';

const FILE_NETWORK_OPEN_INFORMATION_SIZE = 56;

export function fastQueryOpen(state: FsState, request: FsRequest): FsCompletion | null {
  const params = parametersMember(request.Parameters, 'NetworkQueryOpen');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  if (state.oplocks.size > 0) return null;
  const opened = create(state, {
    ...request,
    MajorFunction: IRP_MJ_CREATE,
    OperationFlags: params.Irp.Flags,
    Parameters: {
      Create: {
        SecurityContext: { DesiredAccess: params.Irp.DesiredAccess | FILE_READ_ATTRIBUTES },
        Options: params.Irp.Options,
        FileAttributes: params.Irp.FileAttributes,
        ShareAccess: params.Irp.ShareAccess | FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        EaLength: 0,
      },
    },
  });
  if (opened.Status === STATUS_REPARSE || opened.parked === true) return null;
  if (!NT_SUCCESS(opened.Status)) return { Status: opened.Status, Information: 0 };
  const ctx = state.contexts.get(request.FileObject.id);
  const queried =
    ctx === undefined
      ? complete(STATUS_INVALID_PARAMETER)
      : queryInformation(state, { ...request, MajorFunction: IRP_MJ_QUERY_INFORMATION, Parameters: { QueryFileInformation: { Length: FILE_NETWORK_OPEN_INFORMATION_SIZE, FileInformationClass: FILE_INFORMATION_CLASS.FileNetworkOpenInformation } } }, ctx);
  cleanup(state, { ...request, MajorFunction: IRP_MJ_CLEANUP, Parameters: { Cleanup: {} } });
  // No stream can have contexts to tear down here: the file was not open before this call, or its
  // other opens keep the stream (close's streamTornDown is for the last close of a stream that had them).
  close(state, { ...request, MajorFunction: IRP_MJ_CLOSE, Parameters: { Close: {} } });
  return queried;
}
