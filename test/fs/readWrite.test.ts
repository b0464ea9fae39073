import { describe, expect, it } from 'vitest';
import { makeFs, outputData, text } from './helpers.js';
import {
  BYTE_OFFSET_USE_FILE_POINTER_POSITION,
  BYTE_OFFSET_WRITE_TO_END_OF_FILE,
  FILE_APPEND_DATA,
  FILE_CREATE,
  FILE_DIRECTORY_FILE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_NO_INTERMEDIATE_BUFFERING,
  FILE_READ_DATA,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_DATA,
  FILE_INFORMATION_CLASS as C,
} from '../../src/wdk/fileConstants.js';
import { IRP_NOCACHE, IRP_PAGING_IO } from '../../src/wdk/irp.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_END_OF_FILE,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_MEDIA_WRITE_PROTECTED,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import { STATUS_DISK_FULL } from '../../src/wdk/ntstatus.js';
import {  } from '../../src/fs/index.js';

const RW = FILE_GENERIC_READ | FILE_GENERIC_WRITE;

describe('IRP_MJ_READ / IRP_MJ_WRITE', () => {
  it('writes at explicit offsets extend the file and reads return the bytes', () => {
    const { fs, io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW });
    expect(io.write('a', 0, 'hello')).toMatchObject({ Status: STATUS_SUCCESS, Information: 5 });
    expect(io.write('a', 10, 'world').Information).toBe(5);
    expect(fs.stat('\\f')?.endOfFile).toBe(15);
    expect(fs.stat('\\f')?.allocationSize).toBe(4096);
    expect(Array.from(outputData(io.read('a', 4, 8)))).toEqual([111, 0, 0, 0, 0, 0, 119, 111]);
  });

  // FltReadFile: reading past EOF returns an error (STATUS_END_OF_FILE); a read crossing EOF is truncated.
  it('a read at EOF is STATUS_END_OF_FILE; a read crossing EOF is truncated', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'abc');
    io.open('a', '\\f', { access: FILE_READ_DATA });
    expect(io.read('a', 3, 1).Status).toBe(STATUS_END_OF_FILE);
    expect(io.read('a', 1, 10)).toMatchObject({ Status: STATUS_SUCCESS, Information: 2 });
    expect(io.read('a', 100, 0).Status).toBe(STATUS_SUCCESS);
  });

  // FltReadFile/FltWriteFile: FO_SYNCHRONOUS_IO file objects use and advance CurrentByteOffset.
  it('synchronous file objects use the file pointer and advance it', () => {
    const { io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW, options: FILE_SYNCHRONOUS_IO_NONALERT });
    io.write('a', BYTE_OFFSET_USE_FILE_POINTER_POSITION, 'abc');
    io.write('a', BYTE_OFFSET_USE_FILE_POINTER_POSITION, 'def');
    expect(io.offset('a')).toBe(6);
    io.write('a', 1, 'X');
    expect(io.offset('a')).toBe(2);
    expect(text(outputData(io.read('a', BYTE_OFFSET_USE_FILE_POINTER_POSITION, 2)))).toBe('cd');
    expect(io.offset('a')).toBe(4);
  });

  it('FILE_USE_FILE_POINTER_POSITION on a non-synchronous file object is STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW });
    expect(io.write('a', BYTE_OFFSET_USE_FILE_POINTER_POSITION, 'x').Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.read('a', -5, 1).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  // FltWriteFile: {FILE_WRITE_TO_END_OF_FILE, -1} appends.
  it('FILE_WRITE_TO_END_OF_FILE appends; an append-only handle always appends', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'abc');
    io.open('a', '\\f', { access: RW });
    io.write('a', BYTE_OFFSET_WRITE_TO_END_OF_FILE, 'de');
    io.open('b', '\\f', { access: FILE_APPEND_DATA });
    io.write('b', 0, 'fg');
    expect(text(fs.readFile('\\f'))).toBe('abcdefg');
  });

  it('non-cached I/O needs sector-aligned offset and length', () => {
    const { io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW, options: FILE_NO_INTERMEDIATE_BUFFERING });
    expect(io.write('a', 0, new Uint8Array(100)).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.write('a', 0, new Uint8Array(512)).Status).toBe(STATUS_SUCCESS);
    io.open('b', '\\f', { access: RW });
    expect(io.read('b', 1, 512, { IrpFlags: IRP_NOCACHE }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.read('b', 0, 512, { IrpFlags: IRP_NOCACHE }).Status).toBe(STATUS_SUCCESS);
  });

  it('I/O beyond the granted access is STATUS_ACCESS_DENIED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'abc');
    io.open('r', '\\f', { access: FILE_READ_DATA });
    io.open('w', '\\f', { access: FILE_WRITE_DATA });
    expect(io.write('r', 0, 'x').Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.read('w', 0, 1).Status).toBe(STATUS_ACCESS_DENIED);
  });

  // Paging I/O is issued by Mm/Cc: not access checked, never extends EOF.
  it('paging writes do not extend the file', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'abc');
    io.open('a', '\\f', { access: FILE_READ_DATA });
    expect(io.write('a', 1, 'XYZW', { IrpFlags: IRP_PAGING_IO })).toMatchObject({ Status: STATUS_SUCCESS, Information: 2 });
    expect(text(fs.readFile('\\f'))).toBe('aXY');
    expect(io.write('a', 10, 'Q', { IrpFlags: IRP_PAGING_IO }).Information).toBe(0);
  });

  it('paging I/O is still accepted after cleanup', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'abc');
    io.open('a', '\\f', { access: FILE_READ_DATA });
    io.cleanup('a');
    expect(io.read('a', 0, 3, { IrpFlags: IRP_PAGING_IO }).Status).toBe(STATUS_SUCCESS);
  });

  it('read-only volumes refuse writes with STATUS_MEDIA_WRITE_PROTECTED', () => {
    const { fs, io } = makeFs({ readOnly: true });
    fs.writeFile('\\f', 'abc');
    io.open('a', '\\f', { access: FILE_READ_DATA });
    expect(io.write('a', 0, 'x', { IrpFlags: IRP_PAGING_IO }).Status).toBe(STATUS_MEDIA_WRITE_PROTECTED);
  });

  it('read or write on a directory or a volume open is STATUS_INVALID_DEVICE_REQUEST', () => {
    const { io } = makeFs();
    io.open('d', '\\d', { disposition: FILE_CREATE, options: FILE_DIRECTORY_FILE, access: RW });
    expect(io.read('d', 0, 1).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
    io.open('v', '', { access: FILE_READ_DATA });
    expect(io.read('v', 0, 512).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });

  it('a write beyond the free space is STATUS_DISK_FULL', () => {
    const { io } = makeFs({ totalBytes: 64 * 1024 });
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW });
    expect(io.write('a', 100 * 1024, 'x').Status).toBe(STATUS_DISK_FULL);
  });

  it('a write with a missing or short buffer is STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW });
    expect(io.send('a', 4, { Write: { Length: 10, Key: 0, ByteOffset: 0 } }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.send('a', 4, { Write: { Length: 10, Key: 0, ByteOffset: 0, WriteBuffer: new Uint8Array(2) } }).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.send('a', 4, { Write: { Length: 2, Key: 0, ByteOffset: 0 } }, { buffer: new Uint8Array([1, 2]) }).Status).toBe(STATUS_SUCCESS);
  });

  it('writes update LastWriteTime from the virtual clock', () => {
    const { fs, io, clock } = makeFs();
    io.open('a', '\\f', { disposition: FILE_CREATE, access: RW });
    clock.t = 5000;
    io.write('a', 0, 'x');
    expect(fs.stat('\\f')?.lastWriteTime).toBe(5001);
    expect(io.query('a', C.FileBasicInformation).output).toMatchObject({ info: { LastWriteTime: 5001 } });
  });
});
