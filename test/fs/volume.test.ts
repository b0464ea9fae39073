import { describe, expect, it } from 'vitest';
import { makeFs, outputInfo } from './helpers.js';
import type { FILE_FS_ATTRIBUTE_INFORMATION, FILE_FS_SIZE_INFORMATION, FILE_FS_VOLUME_INFORMATION } from '../../src/wdk/parameters.js';
import {
  FILE_CREATE,
  FILE_GENERIC_WRITE,
  FILE_PERSISTENT_ACLS,
  FILE_READ_DATA,
  FILE_READ_ONLY_VOLUME,
  FILE_SUPPORTS_OBJECT_IDS,
  FILE_SUPPORTS_REPARSE_POINTS,
  FS_INFORMATION_CLASS as V,
  IOCTL_DISK_GET_LENGTH_INFO,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_FILE_CLOSED,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_SUCCESS,
  STATUS_VOLUME_DISMOUNTED,
} from '../../src/wdk/ntstatus.js';

describe('IRP_MJ_QUERY_VOLUME_INFORMATION', () => {
  it('FileFsVolumeInformation reports serial number and label; a short buffer truncates the label', () => {
    const { io } = makeFs({ label: 'DATA', serialNumber: 0xabcd });
    io.open('v', '');
    const full = io.queryVolume('v', V.FileFsVolumeInformation);
    expect(outputInfo<FILE_FS_VOLUME_INFORMATION>(full)).toMatchObject({ VolumeSerialNumber: 0xabcd, VolumeLabel: 'DATA', VolumeLabelLength: 8, SupportsObjects: true });
    expect(full.Information).toBe(18 + 8);
    expect(io.queryVolume('v', V.FileFsVolumeInformation, 24).Status).toBe(STATUS_BUFFER_OVERFLOW);
    expect(io.queryVolume('v', V.FileFsVolumeInformation, 23).Status).toBe(STATUS_INFO_LENGTH_MISMATCH);
  });

  it('FileFsSizeInformation and FileFsFullSizeInformation count clusters; free space shrinks as files grow', () => {
    const { fs, io } = makeFs({ totalBytes: 1024 * 1024 });
    io.open('v', '');
    const before = outputInfo<FILE_FS_SIZE_INFORMATION>(io.queryVolume('v', V.FileFsSizeInformation));
    expect(before).toEqual({ TotalAllocationUnits: 256, AvailableAllocationUnits: 256, SectorsPerAllocationUnit: 8, BytesPerSector: 512 });
    fs.writeFile('\\f', new Uint8Array(5000));
    expect(io.queryVolume('v', V.FileFsFullSizeInformation).output).toMatchObject({ info: { CallerAvailableAllocationUnits: 254, ActualAvailableAllocationUnits: 254 } });
  });

  it('FileFsAttributeInformation advertises reparse points, object ids and ACLs on NTFS only', () => {
    const ntfs = makeFs();
    ntfs.io.open('v', '');
    const a = outputInfo<FILE_FS_ATTRIBUTE_INFORMATION>(ntfs.io.queryVolume('v', V.FileFsAttributeInformation));
    expect(a.FileSystemName).toBe('NTFS');
    expect(a.FileSystemAttributes & (FILE_SUPPORTS_REPARSE_POINTS | FILE_SUPPORTS_OBJECT_IDS | FILE_PERSISTENT_ACLS)).toBe(
      FILE_SUPPORTS_REPARSE_POINTS | FILE_SUPPORTS_OBJECT_IDS | FILE_PERSISTENT_ACLS,
    );
    const fat = makeFs({ fsType: 'FAT', readOnly: true });
    fat.io.open('v', '');
    const b = outputInfo<FILE_FS_ATTRIBUTE_INFORMATION>(fat.io.queryVolume('v', V.FileFsAttributeInformation));
    expect(b.FileSystemName).toBe('FAT');
    expect(b.FileSystemAttributes & FILE_SUPPORTS_REPARSE_POINTS).toBe(0);
    expect(b.FileSystemAttributes & FILE_READ_ONLY_VOLUME).toBe(FILE_READ_ONLY_VOLUME);
  });

  it('device, sector-size and object-id classes; FAT has no volume object id', () => {
    const { io } = makeFs({ sectorSize: 4096 });
    io.open('v', '');
    expect(io.queryVolume('v', V.FileFsDeviceInformation)).toMatchObject({ Status: STATUS_SUCCESS, Information: 8, output: { info: { DeviceType: 7 } } });
    expect(io.queryVolume('v', V.FileFsSectorSizeInformation).output).toMatchObject({ info: { LogicalBytesPerSector: 4096 } });
    expect(io.queryVolume('v', V.FileFsObjectIdInformation).Information).toBe(64);
    const fat = makeFs({ fsType: 'FAT' });
    fat.io.open('v', '');
    expect(fat.io.queryVolume('v', V.FileFsObjectIdInformation).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('class 0 or beyond the enum is STATUS_INVALID_INFO_CLASS; unsupported classes STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    io.open('v', '');
    expect(io.queryVolume('v', 0).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.queryVolume('v', 99).Status).toBe(STATUS_INVALID_INFO_CLASS);
    expect(io.queryVolume('v', V.FileFsControlInformation).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('works through a file handle as well', () => {
    const { io } = makeFs();
    io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(io.queryVolume('f', V.FileFsSizeInformation).Status).toBe(STATUS_SUCCESS);
  });
});

describe('flush, ioctl, dismount and unknown file objects', () => {
  // FltFlushBuffers: a file needs write access; a volume flush flushes everything.
  it('flush succeeds on a writable file, is STATUS_ACCESS_DENIED on a read-only handle, succeeds on a volume open', () => {
    const { io } = makeFs();
    io.open('w', '\\x', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
    io.open('r', '\\x', { access: FILE_READ_DATA });
    io.open('v', '');
    expect(io.flush('w').Status).toBe(STATUS_SUCCESS);
    expect(io.flush('r').Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.flush('v').Status).toBe(STATUS_SUCCESS);
  });

  it('flush on a read-only volume is STATUS_MEDIA_WRITE_PROTECTED', () => {
    const { io } = makeFs({ readOnly: true });
    io.open('v', '');
    expect(io.flush('v').Status).toBe(STATUS_MEDIA_WRITE_PROTECTED);
  });

  it('IOCTL_DISK_GET_LENGTH_INFO answers on a volume open only; other IOCTLs are STATUS_INVALID_DEVICE_REQUEST', () => {
    const { io } = makeFs({ totalBytes: 1 << 20 });
    io.open('v', '');
    io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(io.ioctl('v', IOCTL_DISK_GET_LENGTH_INFO)).toMatchObject({ Status: STATUS_SUCCESS, Information: 8, output: { info: { Length: 1 << 20 } } });
    expect(io.ioctl('v', IOCTL_DISK_GET_LENGTH_INFO, 4).Status).toBe(STATUS_BUFFER_TOO_SMALL);
    expect(io.ioctl('f', IOCTL_DISK_GET_LENGTH_INFO).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
    expect(io.ioctl('v', 0x2d1400).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });

  it('after dismount every request is STATUS_VOLUME_DISMOUNTED except CLEANUP and CLOSE', () => {
    const { fs, io } = makeFs();
    io.open('f', '\\x', { disposition: FILE_CREATE, access: FILE_GENERIC_WRITE });
    fs.dismount();
    expect(io.write('f', 0, 'x').Status).toBe(STATUS_VOLUME_DISMOUNTED);
    expect(io.flush('f').Status).toBe(STATUS_VOLUME_DISMOUNTED);
    expect(io.open('g', '\\x').Status).toBe(STATUS_VOLUME_DISMOUNTED);
    expect(io.cleanup('f').Status).toBe(STATUS_SUCCESS);
    expect(io.close('f').Status).toBe(STATUS_SUCCESS);
  });

  it('I/O on an unknown file object is STATUS_INVALID_HANDLE, on a closed one STATUS_FILE_CLOSED; CLOSE never fails', () => {
    const { io } = makeFs();
    expect(io.read('ghost', 0, 1).Status).toBe(STATUS_INVALID_HANDLE);
    io.open('f', '\\x', { disposition: FILE_CREATE });
    io.closeHandle('f');
    expect(io.read('f', 0, 1).Status).toBe(STATUS_FILE_CLOSED);
    expect(io.close('f').Status).toBe(STATUS_SUCCESS);
    expect(io.cleanup('never-opened').Status).toBe(STATUS_SUCCESS);
  });

  it('unmodelled majors are STATUS_INVALID_DEVICE_REQUEST and a malformed request is STATUS_INVALID_PARAMETER', () => {
    const { fs, io } = makeFs();
    io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(io.send('f', 0x07, { Cleanup: {} }).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
    expect(io.send('f', 3, { Write: { Length: 0, Key: 0, ByteOffset: 0 } }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(fs.dispatch(null as never).Status).toBe(STATUS_INVALID_PARAMETER);
  });
});
