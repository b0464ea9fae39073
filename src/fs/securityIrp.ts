/**
 * IRP_MJ_QUERY_SECURITY and IRP_MJ_SET_SECURITY (FltQuerySecurityObject / FltSetSecurityObject,
 * docs/semantics.md §11.20, §11.22). FAT keeps no security: both fail with STATUS_INVALID_DEVICE_REQUEST.
 */
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import { mergeDescriptor, querySecurityAccessMask, selectDescriptor, selfRelativeSize, setSecurityAccessMask, validateDescriptor } from './security.js';
import { complete } from './types.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_ACCESS_VIOLATION,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { parametersMember } from '../wdk/parameters.js';

/** READ_CONTROL (owner/group/DACL) and ACCESS_SYSTEM_SECURITY (SACL); a short buffer gets
 * STATUS_BUFFER_TOO_SMALL with Information = the self-relative length needed and nothing copied. */
export function querySecurity(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'QuerySecurity');
  if (params === null || typeof params.SecurityInformation !== 'number' || typeof params.Length !== 'number') return complete(STATUS_INVALID_PARAMETER);
  const sd = ctx.kind === 'volume' ? state.root.security : ctx.node.security;
  if (sd === null) return complete(STATUS_INVALID_DEVICE_REQUEST);
  const needed = querySecurityAccessMask(params.SecurityInformation);
  if ((ctx.grantedAccess & needed) !== needed) return complete(STATUS_ACCESS_DENIED);
  const selected = selectDescriptor(sd, params.SecurityInformation);
  const size = selfRelativeSize(selected);
  if (params.Length < size) return complete(STATUS_BUFFER_TOO_SMALL, size);
  return { Status: STATUS_SUCCESS, Information: size, output: { kind: 'securityDescriptor', descriptor: selected } };
}

/** WRITE_OWNER (owner, group), WRITE_DAC, ACCESS_SYSTEM_SECURITY (SACL); NULL descriptor → STATUS_ACCESS_VIOLATION. */
export function setSecurity(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'SetSecurity');
  if (params === null || typeof params.SecurityInformation !== 'number') return complete(STATUS_INVALID_PARAMETER);
  const node = ctx.kind === 'volume' ? state.root : ctx.node;
  if (node.security === null) return complete(STATUS_INVALID_DEVICE_REQUEST);
  if (params.SecurityDescriptor === null || params.SecurityDescriptor === undefined) return complete(STATUS_ACCESS_VIOLATION);
  const needed = setSecurityAccessMask(params.SecurityInformation);
  if ((ctx.grantedAccess & needed) !== needed) return complete(STATUS_ACCESS_DENIED);
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const valid = validateDescriptor(params.SecurityDescriptor, params.SecurityInformation);
  if (valid !== STATUS_SUCCESS) return complete(valid);
  node.security = mergeDescriptor(node.security, params.SecurityDescriptor, params.SecurityInformation);
  node.changeTime = state.options.now();
  return complete(STATUS_SUCCESS);
}
