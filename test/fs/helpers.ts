/**
 * A small I/O builder for file-system tests: it plays the I/O manager's part (keeps each FILE_OBJECT's
 * Flags and CurrentByteOffset, applies what the FS reports) so tests read like a trace of IRPs.
 */
import { MemoryFileSystem } from '../../src/fs/index.js';
import type { FsCompletion, FsRequest, FsVolumeOptions } from '../../src/fs/index.js';
import type { FileInformation, FltParameters, FsctlInput, SecurityDescriptor } from '../../src/wdk/parameters.js';
import { packCreateOptions } from '../../src/wdk/parameters.js';
import { FILE_OPEN, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE } from '../../src/wdk/fileConstants.js';
import {
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_DEVICE_CONTROL,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  IRP_MJ_FLUSH_BUFFERS,
  IRP_MJ_QUERY_INFORMATION,
  IRP_MJ_QUERY_SECURITY,
  IRP_MJ_QUERY_VOLUME_INFORMATION,
  IRP_MJ_READ,
  IRP_MJ_SET_INFORMATION,
  IRP_MJ_SET_SECURITY,
  IRP_MJ_WRITE,
  IRP_MN_QUERY_DIRECTORY,
  SL_RESTART_SCAN,
  SL_RETURN_SINGLE_ENTRY,
} from '../../src/wdk/irp.js';

export const SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
export const USER_SID = 'S-1-5-21-1-2-3-1001';

export function makeFs(overrides: Partial<FsVolumeOptions> = {}): { fs: MemoryFileSystem; io: Io; clock: { t: number } } {
  const clock = { t: 1000 };
  const fs = new MemoryFileSystem({ volumeName: '\\Device\\HarddiskVolume1', fsType: 'NTFS', sectorSize: 512, now: () => ++clock.t, ...overrides });
  return { fs, io: new Io(fs), clock };
}

export interface OpenOptions {
  access?: number;
  share?: number;
  disposition?: number;
  options?: number;
  attributes?: number;
  related?: string | null;
  mode?: 'KernelMode' | 'UserMode';
  sid?: string;
  operationFlags?: number;
  allocationSize?: number;
  eaLength?: number;
}

interface FileObjectState {
  flags: number;
  currentByteOffset: number;
  fileName: string;
  related: string | null;
}

export class Io {
  readonly fileObjects = new Map<string, FileObjectState>();
  constructor(readonly fs: MemoryFileSystem) {}

  send(id: string, MajorFunction: number, Parameters: FltParameters, extra: Partial<FsRequest> = {}): FsCompletion {
    const fo = this.fileObjects.get(id) ?? { flags: 0, currentByteOffset: 0, fileName: '', related: null };
    const request: FsRequest = {
      MajorFunction,
      MinorFunction: 0,
      IrpFlags: 0,
      OperationFlags: 0,
      FileObject: { id, fileName: fo.fileName, relatedFileObjectId: fo.related, flags: fo.flags, currentByteOffset: fo.currentByteOffset },
      Parameters,
      RequestorMode: 'KernelMode',
      requestorSid: 'S-1-5-18',
      ...extra,
    };
    const completion = this.fs.dispatch(request);
    if (completion.fileObjectFlags !== undefined) fo.flags = completion.fileObjectFlags;
    if (completion.currentByteOffset !== undefined) fo.currentByteOffset = completion.currentByteOffset;
    if (this.fileObjects.has(id)) this.fileObjects.set(id, fo);
    return completion;
  }

  open(id: string, fileName: string, o: OpenOptions = {}): FsCompletion {
    this.fileObjects.set(id, { flags: 0, currentByteOffset: 0, fileName, related: o.related ?? null });
    const completion = this.send(
      id,
      IRP_MJ_CREATE,
      {
        Create: {
          SecurityContext: { DesiredAccess: o.access ?? 0x120089 },
          Options: packCreateOptions(o.disposition ?? FILE_OPEN, o.options ?? 0),
          FileAttributes: o.attributes ?? 0,
          ShareAccess: o.share ?? SHARE_ALL,
          EaLength: o.eaLength ?? 0,
          ...(o.allocationSize === undefined ? {} : { AllocationSize: o.allocationSize }),
        },
      },
      { RequestorMode: o.mode ?? 'KernelMode', requestorSid: o.sid ?? 'S-1-5-18', OperationFlags: o.operationFlags ?? 0 },
    );
    if (completion.Status !== 0) this.fileObjects.delete(id);
    return completion;
  }

  flags(id: string): number {
    return this.fileObjects.get(id)?.flags ?? 0;
  }
  offset(id: string): number {
    return this.fileObjects.get(id)?.currentByteOffset ?? 0;
  }

  read(id: string, ByteOffset: number, Length: number, extra: Partial<FsRequest> = {}): FsCompletion {
    return this.send(id, IRP_MJ_READ, { Read: { Length, Key: 0, ByteOffset } }, extra);
  }
  write(id: string, ByteOffset: number, data: Uint8Array | string, extra: Partial<FsRequest> = {}): FsCompletion {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.send(id, IRP_MJ_WRITE, { Write: { Length: bytes.length, Key: 0, ByteOffset, WriteBuffer: bytes } }, extra);
  }
  query(id: string, FileInformationClass: number, Length = 4096, extra: Partial<FsRequest> = {}): FsCompletion {
    return this.send(id, IRP_MJ_QUERY_INFORMATION, { QueryFileInformation: { Length, FileInformationClass } }, extra);
  }
  set(id: string, FileInformationClass: number, InfoBuffer: FileInformation | null, Length = 4096, ParentOfTarget: string | null = null): FsCompletion {
    return this.send(id, IRP_MJ_SET_INFORMATION, { SetFileInformation: { Length, FileInformationClass, ParentOfTarget, InfoBuffer } });
  }
  queryVolume(id: string, FsInformationClass: number, Length = 4096): FsCompletion {
    return this.send(id, IRP_MJ_QUERY_VOLUME_INFORMATION, { QueryVolumeInformation: { Length, FsInformationClass } });
  }
  querySecurity(id: string, SecurityInformation: number, Length = 65536): FsCompletion {
    return this.send(id, IRP_MJ_QUERY_SECURITY, { QuerySecurity: { SecurityInformation, Length } });
  }
  setSecurity(id: string, SecurityInformation: number, SecurityDescriptor: SecurityDescriptor | null): FsCompletion {
    return this.send(id, IRP_MJ_SET_SECURITY, { SetSecurity: { SecurityInformation, SecurityDescriptor } });
  }
  fsctl(id: string, FsControlCode: number, InputBuffer: FsctlInput | null = null, InputBufferLength = 0, OutputBufferLength = 16384): FsCompletion {
    return this.send(id, IRP_MJ_FILE_SYSTEM_CONTROL, { FileSystemControl: { FsControlCode, InputBufferLength, OutputBufferLength, InputBuffer } });
  }
  ioctl(id: string, IoControlCode: number, OutputBufferLength = 8): FsCompletion {
    return this.send(id, IRP_MJ_DEVICE_CONTROL, { DeviceIoControl: { IoControlCode, InputBufferLength: 0, OutputBufferLength, InputBuffer: null } });
  }
  flush(id: string): FsCompletion {
    return this.send(id, IRP_MJ_FLUSH_BUFFERS, { FlushBuffers: {} });
  }
  dir(id: string, FileInformationClass: number, o: { pattern?: string | null; length?: number; restart?: boolean; single?: boolean } = {}): FsCompletion {
    const OperationFlags = (o.restart ? SL_RESTART_SCAN : 0) | (o.single ? SL_RETURN_SINGLE_ENTRY : 0);
    return this.send(
      id,
      IRP_MJ_DIRECTORY_CONTROL,
      { DirectoryControl: { QueryDirectory: { Length: o.length ?? 65536, FileName: o.pattern ?? null, FileInformationClass, FileIndex: 0 } } },
      { MinorFunction: IRP_MN_QUERY_DIRECTORY, OperationFlags },
    );
  }
  cleanup(id: string): FsCompletion {
    return this.send(id, IRP_MJ_CLEANUP, { Cleanup: {} });
  }
  close(id: string): FsCompletion {
    const completion = this.send(id, IRP_MJ_CLOSE, { Close: {} });
    this.fileObjects.delete(id);
    return completion;
  }
  /** Cleanup then close, as closing the last handle and dropping the last reference does. */
  closeHandle(id: string): void {
    this.cleanup(id);
    this.close(id);
  }
}

export function text(data: Uint8Array | undefined | null): string {
  return data ? new TextDecoder().decode(data) : '';
}

export function outputData(c: FsCompletion): Uint8Array {
  if (c.output?.kind !== 'data') throw new Error(`expected data output, got ${c.output?.kind ?? 'none'}`);
  return c.output.data;
}

export function outputInfo<T>(c: FsCompletion): T {
  if (c.output?.kind !== 'fileInformation' && c.output?.kind !== 'volumeInformation') throw new Error(`expected information output, got ${c.output?.kind ?? 'none'}`);
  return c.output.info as T;
}
