/**
 * The two halves of IRP_MJ_CREATE once the name is resolved: open an existing file (with the
 * overwrite/supersede dispositions) and create a new one; plus the per-file-object context that
 * every successful create leaves behind.
 */
import { breakOplocksFor, currentBatchOplock, waitForAtomicRequest, wouldBreakOplocks } from './oplocks.js';
import type { OplockBreakCause } from './oplockBreakRules.js';
import { STATUS_CANNOT_BREAK_OPLOCK, STATUS_OPLOCK_BREAK_IN_PROGRESS, STATUS_OPLOCK_NOT_GRANTED, STATUS_PENDING, STATUS_SHARING_VIOLATION } from '../wdk/ntstatus.js';
import { reportChange } from './directoryNotify.js';
import { FILE_ACTION_ADDED, FILE_NOTIFY_CHANGE_DIR_NAME, FILE_NOTIFY_CHANGE_FILE_NAME } from '../wdk/directoryNotify.js';
import { FltSimError } from '../kernel/errors.js';
import type { FsLink, FsNode, FsState, FsStream } from './model.js';
import type { FileObjectShare } from './shareAccess.js';
import type { FsCompletion, FsRequest } from './types.js';
import type { CreateParameters } from '../wdk/parameters.js';
import { STATUS_DISK_FULL, STATUS_PRIVILEGE_NOT_HELD } from '../wdk/ntstatus.js';
import { WRITE_LIKE_ACCESS, addLink, addStream, freeBytes, newNode, roundUp, upcase } from './model.js';
import { EMPTY_SHARE_ACCESS } from './shareAccess.js';
import { checkShareUnlessIgnored } from './shareAccess.js';
import { allowedAccess, defaultTokenGroups, grantFrom, holdsSecurityPrivilege, inheritDescriptor } from './security.js';
import { complete } from './types.js';
import {
  ACCESS_SYSTEM_SECURITY,
  DELETE,
  FILE_ADD_FILE,
  FILE_ADD_SUBDIRECTORY,
  FILE_ALL_ACCESS,
  FILE_APPEND_DATA,
  FILE_ATTRIBUTE_ARCHIVE,
  FILE_ATTRIBUTE_HIDDEN,
  FILE_ATTRIBUTE_READONLY,
  FILE_ATTRIBUTE_SYSTEM,
  FILE_ATTRIBUTE_VALID_SET_FLAGS,
  FILE_CREATE,
  FILE_CREATED,
  FILE_DELETE_CHILD,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_EXISTS,
  FILE_LIST_DIRECTORY,
  FILE_NO_INTERMEDIATE_BUFFERING,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPBATCH_BREAK_UNDERWAY,
  FILE_OPEN,
  FILE_OPEN_REQUIRING_OPLOCK,
  FILE_RESERVE_OPFILTER,
  FILE_SHARE_VALID_FLAGS,
  FILE_OPEN_REPARSE_POINT,
  FILE_OPENED,
  FILE_OVERWRITE,
  FILE_OVERWRITTEN,
  FILE_RANDOM_ACCESS,
  FILE_READ_ATTRIBUTES,
  FILE_SEQUENTIAL_ONLY,
  FILE_SUPERSEDE,
  FILE_SUPERSEDED,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_ATTRIBUTES,
  FILE_WRITE_DATA,
  FILE_WRITE_THROUGH,
  FILE_EXECUTE,
  FILE_READ_DATA,
  FILE_READ_EA,
  FILE_SHARE_READ,
  READ_CONTROL,
  SYNCHRONIZE,
  FO_ALERTABLE_IO,
  FO_DELETE_ON_CLOSE,
  FO_NO_INTERMEDIATE_BUFFERING,
  FO_RANDOM_ACCESS,
  FO_SEQUENTIAL_ONLY,
  FO_SYNCHRONOUS_IO,
  FO_WRITE_THROUGH,
  MAXIMUM_ALLOWED,
} from '../wdk/fileConstants.js';
import { SL_FORCE_ACCESS_CHECK } from '../wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_CANNOT_DELETE,
  STATUS_DELETE_PENDING,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_NOT_A_DIRECTORY,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_REPARSE,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';

export interface CreateRequest {
  readonly state: FsState;
  readonly request: FsRequest;
  readonly params: CreateParameters;
  readonly disposition: number;
  readonly options: number;
  /** DesiredAccess after generic mapping. */
  readonly desired: number;
  readonly shareAccess: number;
  readonly trailingBackslash: boolean;
  /** The full name as the opener spelled it (FileNameInformation reports it). */
  readonly typedName: string;
  readonly targetName?: string;
  /** The named data stream the create names (`file:stream`, §21.5); null or absent for the default stream. */
  readonly streamName?: string | null;
}

export function reparseCompletion(node: FsNode, unparsedNameLength: number): FsCompletion {
  const reparse = node.reparse;
  if (reparse === null) throw new FltSimError('fs internal: reparse completion without a reparse point');
  return {
    Status: STATUS_REPARSE,
    Information: reparse.tag,
    tagData: { ReparseTag: reparse.tag, ReparseGuid: reparse.guid, data: reparse.data.slice(), UnparsedNameLength: unparsedNameLength },
  };
}

function tokenGroups(state: FsState, request: FsRequest): readonly string[] {
  const extra = state.options.tokenGroups;
  return extra ? [request.requestorSid, ...extra(request.requestorSid)] : defaultTokenGroups(request.requestorSid);
}

/** UserMode requests, and KernelMode ones with SL_FORCE_ACCESS_CHECK, are checked against the DACL. */
function mustCheckAccess(request: FsRequest): boolean {
  return request.RequestorMode === 'UserMode' || (request.OperationFlags & SL_FORCE_ACCESS_CHECK) !== 0;
}

/** ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege when the access check applies. */
function systemSecurityDenied(req: CreateRequest, groups: readonly string[]): boolean {
  return (req.desired & ACCESS_SYSTEM_SECURITY) !== 0 && mustCheckAccess(req.request) && !holdsSecurityPrivilege(groups);
}

/** The accesses that do not break a Filter oplock ("Checking the oplock state of IRP_MJ_CREATE"). */
const FILTER_OPLOCK_READ_ACCESS = FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | FILE_READ_DATA | FILE_READ_EA | FILE_EXECUTE | SYNCHRONIZE | READ_CONTROL;

/**
 * Open an existing file or directory. A file's oplock held through another file object is broken
 * first (§21.8, oplocks.ts: Batch and Filter before the share check, as NTFS does; the other levels
 * by the share check's outcome): the create waits for the break, or with FILE_COMPLETE_IF_OPLOCKED
 * goes on and succeeds with STATUS_OPLOCK_BREAK_IN_PROGRESS — or fails its share check with
 * Information FILE_OPBATCH_BREAK_UNDERWAY while a Batch or Filter oplock is there. Opening for
 * nothing but FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES and SYNCHRONIZE breaks no oplock [doc].
 * FILE_OPEN_REQUIRING_OPLOCK: an open that would break one fails with STATUS_CANNOT_BREAK_OPLOCK
 * and breaks nothing [doc].
 */
export function openExisting(req: CreateRequest, node: FsNode, link: FsLink | null): FsCompletion {
  if ((req.options & FILE_RESERVE_OPFILTER) !== 0 && (node.uncleanCount > 0 || !reserveOpFilterShape(req))) return complete(STATUS_OPLOCK_NOT_GRANTED);
  // Another handle's FILE_OPEN_REQUIRING_OPLOCK has not had its oplock yet: wait for it, then meet it.
  if (req.state.oplocks.size > 0 && waitForAtomicRequest(req.state, req.request, node)) return { Status: STATUS_PENDING, Information: 0, parked: true };
  if (node.kind !== 'file' || req.state.oplocks.size === 0 || link?.deletePending === true) return openExistingNow(req, node, link);
  const overwrite = req.disposition === FILE_SUPERSEDE || req.disposition >= FILE_OVERWRITE;
  const attributesOnly = (req.desired & ~(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE)) === 0;
  const writable = overwrite || (req.desired & ~FILTER_OPLOCK_READ_ACCESS) !== 0;
  const noShareRead = (req.shareAccess & FILE_SHARE_READ) === 0;
  // semantics.filterOplockCreateBreak (§21.8): the table's condition read with "or" (default) or "and".
  const filterConflict = req.state.options.filterOplockCreateBreak === 'writableAndNoShareRead' ? writable && noShareRead : writable || noShareRead;
  const cause: OplockBreakCause = { kind: 'create', overwrite, attributesOnly, filterConflict, sharingViolation: () => wouldViolateSharing(req, node, overwrite) };
  if ((req.options & FILE_OPEN_REQUIRING_OPLOCK) !== 0 && wouldBreakOplocks(req.state, req.request, node, cause)) return complete(STATUS_CANNOT_BREAK_OPLOCK);
  const oplock = breakOplocksFor(req.state, req.request, node, cause);
  if (oplock === 'wait') return { Status: STATUS_PENDING, Information: 0, parked: true };
  const opened = openExistingNow(req, node, link);
  // FastFat and NTFS set FILE_OPBATCH_BREAK_UNDERWAY before the share check when FsRtlCurrentBatchOplock is TRUE; only a failed check keeps it.
  if (opened.Status === STATUS_SHARING_VIOLATION && currentBatchOplock(req.state, node)) return { ...opened, Information: FILE_OPBATCH_BREAK_UNDERWAY };
  return oplock === 'breakInProgress' && opened.Status === STATUS_SUCCESS ? { ...opened, Status: STATUS_OPLOCK_BREAK_IN_PROGRESS } : opened;
}

/**
 * FILE_RESERVE_OPFILTER (§21.8, step 1 of the Filter oplock procedure): DesiredAccess exactly
 * FILE_READ_ATTRIBUTES and ShareAccess exactly FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
 * else STATUS_OPLOCK_NOT_GRANTED; as it is when other handles are open [doc: ZwCreateFile]. A
 * successful open reserves nothing: the Filter oplock request after it may still fail [doc].
 */
function reserveOpFilterShape(req: CreateRequest): boolean {
  return req.desired === FILE_READ_ATTRIBUTES && req.shareAccess === FILE_SHARE_VALID_FLAGS;
}

/** Whether the share check of this open would fail (the access it asks, plus what an overwrite adds). */
function wouldViolateSharing(req: CreateRequest, node: FsNode, overwrite: boolean): boolean {
  const stream = req.streamName === undefined || req.streamName === null ? null : (node.streams.get(upcase(req.streamName)) ?? null);
  const access = (req.desired & ~MAXIMUM_ALLOWED) | (overwrite ? (req.disposition === FILE_SUPERSEDE ? DELETE : FILE_WRITE_DATA) : 0);
  return checkShareUnlessIgnored(req.request.FileObject.ignoreSharing, access, req.shareAccess, stream?.share ?? node.share).Status !== STATUS_SUCCESS;
}

function openExistingNow(req: CreateRequest, node: FsNode, link: FsLink | null): FsCompletion {
  const { state, request, params, disposition, options } = req;
  if (link?.deletePending) return complete(STATUS_DELETE_PENDING);
  if (node.reparse !== null && !(options & FILE_OPEN_REPARSE_POINT)) return reparseCompletion(node, 0);
  // A named stream (§21.5) exists or not on its own: FILE_CREATE collides with the stream, not the file.
  const streamName = req.streamName ?? null;
  if (streamName !== null && node.kind === 'directory') return complete(STATUS_OBJECT_NAME_INVALID);
  const stream: FsStream | null = streamName === null ? null : (node.streams.get(upcase(streamName)) ?? null);
  const newStream = streamName !== null && stream === null;
  if (stream?.deletePending) return complete(STATUS_DELETE_PENDING);
  if (newStream && (disposition === FILE_OPEN || disposition === FILE_OVERWRITE)) return complete(STATUS_OBJECT_NAME_NOT_FOUND);
  if (disposition === FILE_CREATE && !newStream) return complete(STATUS_OBJECT_NAME_COLLISION, FILE_EXISTS);
  const overwrite = !newStream && (disposition === FILE_SUPERSEDE || disposition >= FILE_OVERWRITE);
  if (node.kind === 'directory') {
    if (options & FILE_NON_DIRECTORY_FILE) return complete(STATUS_FILE_IS_A_DIRECTORY);
    // FastFAT/NTFS: a directory can only be opened, never overwritten or superseded.
    if (overwrite) return complete(STATUS_OBJECT_NAME_COLLISION);
  } else {
    if (options & FILE_DIRECTORY_FILE) return complete(STATUS_NOT_A_DIRECTORY);
    if (req.trailingBackslash) return complete(STATUS_OBJECT_NAME_INVALID);
  }
  const deleteOnClose = (options & FILE_DELETE_ON_CLOSE) !== 0;
  const addedAccess = overwrite ? (disposition === FILE_SUPERSEDE ? DELETE : FILE_WRITE_DATA) : 0;
  const wantMax = (req.desired & MAXIMUM_ALLOWED) !== 0;
  const effective = req.desired | addedAccess;
  const readOnlyFile = node.kind === 'file' && (node.attributes & FILE_ATTRIBUTE_READONLY) !== 0;

  if (state.options.readOnly && (effective & WRITE_LIKE_ACCESS || overwrite || deleteOnClose || newStream)) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  if (readOnlyFile && (effective & (FILE_WRITE_DATA | FILE_APPEND_DATA) || overwrite || newStream)) return complete(STATUS_ACCESS_DENIED);
  if (deleteOnClose && (readOnlyFile || node === state.root)) return complete(STATUS_CANNOT_DELETE);
  if (deleteOnClose && node.kind === 'directory' && (node.children?.size ?? 0) > 0) return complete(STATUS_DIRECTORY_NOT_EMPTY);
  if (overwrite) {
    const keep = node.attributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
    // CreateFile(CREATE_ALWAYS/TRUNCATE) on a hidden or system file must restate those attributes.
    if ((params.FileAttributes & keep) !== keep) return complete(STATUS_ACCESS_DENIED);
  }

  const groups = tokenGroups(state, request);
  let allowed = FILE_ALL_ACCESS;
  if (node.security !== null && mustCheckAccess(request)) {
    allowed = allowedAccess(node.security, groups);
    const parent = link?.parent ?? null;
    if (parent?.security) {
      const parentAllowed = allowedAccess(parent.security, groups);
      // NTFS: FILE_DELETE_CHILD on the parent grants DELETE; FILE_LIST_DIRECTORY grants FILE_READ_ATTRIBUTES.
      if (parentAllowed & FILE_DELETE_CHILD) allowed |= DELETE;
      if (parentAllowed & FILE_LIST_DIRECTORY) allowed |= FILE_READ_ATTRIBUTES;
    }
  }
  if (wantMax && readOnlyFile) allowed &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
  if (wantMax && state.options.readOnly) allowed &= ~WRITE_LIKE_ACCESS;
  let granted = grantFrom(effective, allowed);
  if (granted === null) return complete(STATUS_ACCESS_DENIED);
  if (systemSecurityDenied(req, groups)) return complete(STATUS_PRIVILEGE_NOT_HELD);
  if (req.desired & ACCESS_SYSTEM_SECURITY) granted |= ACCESS_SYSTEM_SECURITY;

  // Overwriting a named stream truncates that stream only; each stream keeps its own share access.
  const body = stream ?? node;
  let newAllocation = body.allocationSize;
  if (overwrite || newStream) {
    newAllocation = roundUp(params.AllocationSize ?? 0, state.clusterSize);
    if (newAllocation - body.allocationSize > freeBytes(state)) return complete(STATUS_DISK_FULL);
  }
  const share = checkShareUnlessIgnored(req.request.FileObject.ignoreSharing, granted, req.shareAccess, stream?.share ?? (newStream ? EMPTY_SHARE_ACCESS : node.share));
  if (share.Status !== STATUS_SUCCESS) return complete(share.Status);
  const opened = newStream ? addStream(node, streamName) : stream;
  if (opened !== null) opened.share = share.ShareAccess;
  else node.share = share.ShareAccess;

  let information = newStream ? FILE_CREATED : FILE_OPENED;
  const now = state.options.now();
  if (newStream && opened !== null) {
    opened.allocationSize = newAllocation;
    node.changeTime = now;
  }
  if (overwrite) {
    const requested = params.FileAttributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
    if (stream === null) node.attributes = (disposition === FILE_SUPERSEDE ? requested : node.attributes | requested) | FILE_ATTRIBUTE_ARCHIVE;
    body.data = new Uint8Array(0);
    body.allocationSize = newAllocation;
    node.lastWriteTime = now;
    node.changeTime = now;
    information = disposition === FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
  }
  const grantedAccess = (granted & ~(addedAccess & ~req.desired)) >>> 0;
  return openContext(req, { kind: 'file', node, link, stream: opened, granted: grantedAccess, share: share.FileObject, information });
}

export function createNew(req: CreateRequest, parent: FsNode, name: string): FsCompletion {
  const { state, request, params, disposition, options } = req;
  if (disposition === FILE_OPEN || disposition === FILE_OVERWRITE) return complete(STATUS_OBJECT_NAME_NOT_FOUND);
  if ((options & FILE_RESERVE_OPFILTER) !== 0 && !reserveOpFilterShape(req)) return complete(STATUS_OPLOCK_NOT_GRANTED);
  const directory = (options & FILE_DIRECTORY_FILE) !== 0;
  if (req.trailingBackslash && !directory) return complete(STATUS_OBJECT_NAME_INVALID);
  if (directory && (req.streamName ?? null) !== null) return complete(STATUS_OBJECT_NAME_INVALID);
  if (parent.links[0]?.deletePending) return complete(STATUS_DELETE_PENDING);
  if (state.options.readOnly) return complete(STATUS_MEDIA_WRITE_PROTECTED);
  const groups = tokenGroups(state, request);
  if (parent.security !== null && mustCheckAccess(request)) {
    const needed = directory ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE;
    if (!(allowedAccess(parent.security, groups) & needed)) return complete(STATUS_ACCESS_DENIED);
  }
  if (systemSecurityDenied(req, groups)) return complete(STATUS_PRIVILEGE_NOT_HELD);
  const attributes = params.FileAttributes & FILE_ATTRIBUTE_VALID_SET_FLAGS;
  if (options & FILE_DELETE_ON_CLOSE && attributes & FILE_ATTRIBUTE_READONLY) return complete(STATUS_CANNOT_DELETE);
  const allocation = directory ? 0 : roundUp(params.AllocationSize ?? 0, state.clusterSize);
  if (allocation > freeBytes(state)) return complete(STATUS_DISK_FULL);

  // The creator is granted what it asked for (MAXIMUM_ALLOWED: everything), whatever the new DACL says.
  const granted = (grantFrom(req.desired, FILE_ALL_ACCESS) ?? 0) | (req.desired & ACCESS_SYSTEM_SECURITY);
  const node = newNode(state, directory ? 'directory' : 'file', parent.security ? inheritDescriptor(parent.security, request.requestorSid) : null);
  node.attributes = attributes | (directory ? 0 : FILE_ATTRIBUTE_ARCHIVE);
  node.allocationSize = allocation;
  const link = addLink(parent, name, node);
  parent.lastWriteTime = node.creationTime;
  parent.changeTime = node.creationTime;
  reportChange(state, parent, name, FILE_ACTION_ADDED, directory ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME);
  // `new:stream` creates the file with an empty default stream and the named stream, which is what the handle opens (§21.5).
  const stream = req.streamName === undefined || req.streamName === null ? null : addStream(node, req.streamName);
  if (stream !== null) {
    stream.allocationSize = node.allocationSize;
    node.allocationSize = 0;
  }
  const share = checkShareUnlessIgnored(req.request.FileObject.ignoreSharing, granted, req.shareAccess, EMPTY_SHARE_ACCESS);
  if (stream !== null) stream.share = share.ShareAccess;
  else node.share = share.ShareAccess;
  return openContext(req, { kind: 'file', node, link, stream, granted, share: share.FileObject, information: FILE_CREATED });
}

export interface OpenedObject {
  readonly kind: 'volume' | 'file';
  readonly node: FsNode;
  readonly link: FsLink | null;
  /** The named stream opened; absent or null for the default stream. */
  readonly stream?: FsStream | null;
  readonly granted: number;
  readonly share: FileObjectShare;
  readonly information: number;
}

/** Records FsContext2 for the file object and reports the FO_* flags the create options imply. */
export function openContext(req: CreateRequest, opened: OpenedObject): FsCompletion {
  const { state, request, options } = req;
  const id = request.FileObject.id;
  state.contexts.set(id, {
    fileObjectId: id,
    kind: opened.kind,
    node: opened.node,
    link: opened.link,
    stream: opened.stream ?? null,
    grantedAccess: opened.granted >>> 0,
    share: opened.share,
    openedName: opened.kind === 'volume' ? null : req.typedName,
    deleteOnClose: (options & FILE_DELETE_ON_CLOSE) !== 0,
    posixDelete: false,
    state: 'open',
    enumeration: null,
    targetName: req.targetName ?? null,
  });
  state.closed.delete(id);
  opened.node.uncleanCount++;
  opened.node.openCount++;
  if (opened.stream) opened.stream.uncleanCount++;
  let flags = request.FileObject.flags;
  if (options & FILE_SYNCHRONOUS_IO_ALERT) flags |= FO_SYNCHRONOUS_IO | FO_ALERTABLE_IO;
  if (options & FILE_SYNCHRONOUS_IO_NONALERT) flags |= FO_SYNCHRONOUS_IO;
  if (options & FILE_NO_INTERMEDIATE_BUFFERING) flags |= FO_NO_INTERMEDIATE_BUFFERING;
  if (options & FILE_WRITE_THROUGH) flags |= FO_WRITE_THROUGH;
  if (options & FILE_SEQUENTIAL_ONLY) flags |= FO_SEQUENTIAL_ONLY;
  if (options & FILE_RANDOM_ACCESS) flags |= FO_RANDOM_ACCESS;
  if (options & FILE_DELETE_ON_CLOSE) flags |= FO_DELETE_ON_CLOSE;
  return { Status: STATUS_SUCCESS, Information: opened.information, fileObjectFlags: flags >>> 0 };
}
