/**
 * IRP_MJ_QUERY_INFORMATION.
 *
 * Class numbers outside FILE_INFORMATION_CLASS → STATUS_INVALID_INFO_CLASS; classes in range that the
 * model does not implement → STATUS_INVALID_PARAMETER (the NTFS default case). Length below the
 * class's sizeof → STATUS_INFO_LENGTH_MISMATCH. A name that does not fit is truncated and the query
 * returns STATUS_BUFFER_OVERFLOW with FileNameLength still the full length, as NTFS does.
 * FILE_READ_ATTRIBUTES is required only for UserMode requests (the I/O manager's check; the FS itself
 * does not check queries, so FltQueryInformationFile on any file object works).
 */
import { FltSimError } from '../kernel/errors.js';
import type { FsState, OpenContext } from './model.js';
import type { FsCompletion, FsRequest } from './types.js';
import type {
  FILE_ALL_INFORMATION,
  FILE_BASIC_INFORMATION,
  FILE_NAME_INFORMATION,
  FILE_STANDARD_INFORMATION,
  FileInformation,
} from '../wdk/parameters.js';
import { hex, linkPath, reportedAttributes, streamOf } from './model.js';
import { isLegal83Name } from './shortNames.js';
import { complete } from './types.js';
import {
  FILE_DELETE_ON_CLOSE,
  FILE_INFORMATION_CLASS as C,
  FILE_NO_INTERMEDIATE_BUFFERING,
  FILE_READ_ATTRIBUTES,
  FILE_SEQUENTIAL_ONLY,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_THROUGH,
  FO_ALERTABLE_IO,
  FO_NO_INTERMEDIATE_BUFFERING,
  FO_SEQUENTIAL_ONLY,
  FO_SYNCHRONOUS_IO,
  FO_WRITE_THROUGH,
} from '../wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
} from '../wdk/ntstatus.js';
import { FILE_INFORMATION_LAYOUT, parametersMember } from '../wdk/parameters.js';

export function isFileInformationClassInRange(cls: unknown): cls is number {
  return typeof cls === 'number' && Number.isInteger(cls) && cls > 0 && cls < C.FileMaximumInformation;
}

export function basicInformation(ctx: OpenContext): FILE_BASIC_INFORMATION {
  const n = ctx.node;
  return {
    CreationTime: n.creationTime,
    LastAccessTime: n.lastAccessTime,
    LastWriteTime: n.lastWriteTime,
    ChangeTime: n.changeTime,
    FileAttributes: reportedAttributes(n),
  };
}

/** Sizes of the opened stream; on a named stream DeletePending is the stream's or the file's (§21.5). */
export function standardInformation(ctx: OpenContext): FILE_STANDARD_INFORMATION {
  const n = ctx.node;
  const body = streamOf(ctx);
  return {
    AllocationSize: body.allocationSize,
    EndOfFile: body.data.length,
    NumberOfLinks: n.links.filter((l) => !l.deletePending).length,
    DeletePending: (ctx.stream?.deletePending ?? false) || (ctx.link?.deletePending ?? false),
    Directory: n.kind === 'directory',
  };
}

/** The normalized name of what a file object opened: the file's stored path, and `:stream` for a named stream (no `:$DATA`, §16.2). */
export function normalizedNameOf(ctx: OpenContext): string {
  return ctx.stream === null ? linkPath(ctx.link) : `${linkPath(ctx.link)}:${ctx.stream.name}`;
}

/** Name fitted into `length` bytes after `nameOffset`; FileNameLength stays the full length. */
export function fitName(name: string, length: number, nameOffset: number): { info: FILE_NAME_INFORMATION; status: number; bytes: number } {
  const room = Math.max(0, Math.floor((length - nameOffset) / 2));
  const fits = room >= name.length;
  const copied = fits ? name : name.slice(0, room);
  return {
    info: { FileNameLength: name.length * 2, FileName: copied },
    status: fits ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW,
    bytes: nameOffset + copied.length * 2,
  };
}

function modeOf(request: FsRequest, ctx: OpenContext): number {
  const flags = request.FileObject.flags;
  let mode = 0;
  if (flags & FO_SYNCHRONOUS_IO) mode |= flags & FO_ALERTABLE_IO ? FILE_SYNCHRONOUS_IO_ALERT : FILE_SYNCHRONOUS_IO_NONALERT;
  if (flags & FO_NO_INTERMEDIATE_BUFFERING) mode |= FILE_NO_INTERMEDIATE_BUFFERING;
  if (flags & FO_WRITE_THROUGH) mode |= FILE_WRITE_THROUGH;
  if (flags & FO_SEQUENTIAL_ONLY) mode |= FILE_SEQUENTIAL_ONLY;
  if (ctx.deleteOnClose) mode |= FILE_DELETE_ON_CLOSE;
  return mode;
}

/** FILE_ID_128 of a 64-bit file reference: the id in the low 8 bytes, little-endian. */
export function fileId128(fileId: number): string {
  let out = '';
  let rest = fileId;
  for (let i = 0; i < 8; i++) {
    out += hex(rest % 256, 2);
    rest = Math.floor(rest / 256);
  }
  return out + '0'.repeat(16);
}

type Query = { info: FileInformation; status: number; bytes: number };

/** The 8.3 name of the link a file object was opened by: its alias, or the name itself when that is 8.3 already. */
export function alternateName(state: FsState, ctx: OpenContext): string | null {
  const link = ctx.link;
  if (link === null || state.options.shortNames !== true) return null;
  return link.shortName ?? (isLegal83Name(link.name) ? link.name : null);
}

export function queryInformation(state: FsState, request: FsRequest, ctx: OpenContext): FsCompletion {
  const params = parametersMember(request.Parameters, 'QueryFileInformation');
  if (params === null) return complete(STATUS_INVALID_PARAMETER);
  const cls = params.FileInformationClass;
  if (!isFileInformationClassInRange(cls)) return complete(STATUS_INVALID_INFO_CLASS);
  const layout = FILE_INFORMATION_LAYOUT[cls];
  const queryable = [C.FileBasicInformation, C.FileStandardInformation, C.FileInternalInformation, C.FileEaInformation, C.FileAccessInformation,
    C.FileNameInformation, C.FilePositionInformation, C.FileModeInformation, C.FileAlignmentInformation, C.FileAllInformation,
    C.FileNetworkOpenInformation, C.FileAttributeTagInformation, C.FileNormalizedNameInformation, C.FileIdInformation,
    C.FileAlternateNameInformation] as number[];
  if (layout === undefined || !queryable.includes(cls) || ctx.kind === 'volume') return complete(STATUS_INVALID_PARAMETER);
  if (!(typeof params.Length === 'number' && params.Length >= layout.size)) return complete(STATUS_INFO_LENGTH_MISMATCH);
  const needsReadAttributes = [C.FileBasicInformation, C.FileAllInformation, C.FileNetworkOpenInformation, C.FileAttributeTagInformation] as number[];
  if (request.RequestorMode === 'UserMode' && needsReadAttributes.includes(cls) && !(ctx.grantedAccess & FILE_READ_ATTRIBUTES)) {
    return complete(STATUS_ACCESS_DENIED);
  }
  const q = build(state, request, ctx, cls, params.Length, layout.size, layout.nameOffset ?? 0);
  return { Status: q.status, Information: q.bytes, output: { kind: 'fileInformation', FileInformationClass: cls, info: q.info } };
}

function build(state: FsState, request: FsRequest, ctx: OpenContext, cls: number, length: number, size: number, nameOffset: number): Query {
  const node = ctx.node;
  const fixed = (info: FileInformation): Query => ({ info, status: STATUS_SUCCESS, bytes: size });
  const openedName = ctx.openedName ?? normalizedNameOf(ctx);
  switch (cls) {
    case C.FileBasicInformation:
      return fixed(basicInformation(ctx));
    case C.FileStandardInformation:
      return fixed(standardInformation(ctx));
    case C.FileInternalInformation:
      return fixed({ IndexNumber: node.fileId });
    case C.FileEaInformation:
      return fixed({ EaSize: 0 });
    case C.FileAccessInformation:
      return fixed({ AccessFlags: ctx.grantedAccess });
    case C.FilePositionInformation:
      return fixed({ CurrentByteOffset: request.FileObject.currentByteOffset });
    case C.FileModeInformation:
      return fixed({ Mode: modeOf(request, ctx) });
    case C.FileAlignmentInformation:
      return fixed({ AlignmentRequirement: 0 });
    case C.FileNetworkOpenInformation: {
      const b = basicInformation(ctx);
      return fixed({ ...b, AllocationSize: streamOf(ctx).allocationSize, EndOfFile: streamOf(ctx).data.length });
    }
    case C.FileAttributeTagInformation:
      return fixed({ FileAttributes: reportedAttributes(node), ReparseTag: node.reparse?.tag ?? 0 });
    case C.FileIdInformation:
      return fixed({ VolumeSerialNumber: state.serialNumber, FileId: fileId128(node.fileId) });
    case C.FileNameInformation:
      return fitName(openedName, length, nameOffset);
    case C.FileNormalizedNameInformation:
      return fitName(normalizedNameOf(ctx), length, nameOffset);
    case C.FileAlternateNameInformation: {
      // MS-FSCC 2.4.5: the 8.3 name of the final component; none (8.3 generation off, or the root) → not found.
      const alias = alternateName(state, ctx);
      if (alias === null) return { info: { FileNameLength: 0, FileName: '' }, status: STATUS_OBJECT_NAME_NOT_FOUND, bytes: 0 };
      return fitName(alias, length, nameOffset);
    }
    case C.FileAllInformation: {
      const name = fitName(openedName, length, nameOffset);
      const info: FILE_ALL_INFORMATION = {
        BasicInformation: basicInformation(ctx),
        StandardInformation: standardInformation(ctx),
        InternalInformation: { IndexNumber: node.fileId },
        EaInformation: { EaSize: 0 },
        AccessInformation: { AccessFlags: ctx.grantedAccess },
        PositionInformation: { CurrentByteOffset: request.FileObject.currentByteOffset },
        ModeInformation: { Mode: modeOf(request, ctx) },
        AlignmentInformation: { AlignmentRequirement: 0 },
        NameInformation: name.info,
      };
      return { info, status: name.status, bytes: name.bytes };
    }
    default:
      throw new FltSimError(`fs internal: query class ${cls} listed as queryable but not built`);
  }
}
