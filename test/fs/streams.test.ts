// Alternate data streams (§21.5) and how their deletion shows after cleanup (§21.1, §21.2): a named
// stream has its own data, share access and delete disposition; deleting it removes only it, at its
// own last cleanup; deleting the default stream removes the file with every stream, at the file's
// last cleanup, even when that last handle is to a named stream.
import { describe, expect, it } from 'vitest';
import { makeFs, outputData, outputInfo, text } from './helpers.js';
import { FSCTL_GET_OBJECT_ID } from '../../src/index.js';
import {
  DELETE,
  FILE_CREATE,
  FILE_CREATED,
  FILE_DELETE_ON_CLOSE,
  FILE_DISPOSITION_DELETE,
  FILE_DISPOSITION_ON_CLOSE,
  FILE_INFORMATION_CLASS as C,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_OPENED,
  FILE_READ_DATA,
  FILE_SHARE_READ,
  FILE_WRITE_DATA,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_DELETE_PENDING,
  STATUS_FILE_DELETED,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECTID_NOT_FOUND,
  STATUS_SHARING_VIOLATION,
  STATUS_SUCCESS,
} from '../../src/wdk/ntstatus.js';
import type { FILE_STANDARD_INFORMATION } from '../../src/wdk/parameters.js';

const RW = FILE_READ_DATA | FILE_WRITE_DATA;
const standard = (c: ReturnType<ReturnType<typeof makeFs>['io']['query']>): FILE_STANDARD_INFORMATION => outputInfo<FILE_STANDARD_INFORMATION>(c);

describe('named data streams (§21.5)', () => {
  it('f:s holds its own bytes beside the default stream; ::$DATA and :s:$DATA are the same streams', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f.txt', 'main');
    expect(io.open('s', '\\f.txt:ads', { disposition: FILE_OPEN_IF, access: RW }).Information).toBe(FILE_CREATED);
    io.write('s', 0, 'side data');
    expect(standard(io.query('s', C.FileStandardInformation)).EndOfFile).toBe(9);
    io.closeHandle('s');
    expect(text(fs.readFile('\\f.txt'))).toBe('main');
    expect(io.open('d', '\\f.txt::$DATA').Information).toBe(FILE_OPENED);
    expect(text(outputData(io.read('d', 0, 64)))).toBe('main');
    expect(io.open('t', '\\F.TXT:ADS:$DATA').Information).toBe(FILE_OPENED);
    expect(text(outputData(io.read('t', 0, 64)))).toBe('side data');
    expect(outputInfo<{ FileName: string }>(io.query('t', C.FileNormalizedNameInformation)).FileName).toBe('\\f.txt:ads');
    expect(outputInfo<{ FileName: string }>(io.query('t', C.FileNameInformation)).FileName).toBe('\\F.TXT:ADS:$DATA');
  });

  it('a missing stream is OBJECT_NAME_NOT_FOUND for FILE_OPEN; FILE_CREATE collides with the stream, not the file; new:s creates both', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    expect(io.open('a', '\\f:nope', { disposition: FILE_OPEN }).Status).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
    expect(io.open('b', '\\f:s', { disposition: FILE_CREATE, access: RW }).Status).toBe(STATUS_SUCCESS);
    expect(io.open('c', '\\f:s', { disposition: FILE_CREATE }).Status).toBe(STATUS_OBJECT_NAME_COLLISION);
    expect(io.open('d', '\\new:s', { disposition: FILE_CREATE, access: RW }).Information).toBe(FILE_CREATED);
    expect(fs.exists('\\new')).toBe(true);
  });

  it('share access is per stream: a denying open of the default stream does not block a named stream', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f', { access: RW, share: 0 });
    expect(io.open('b', '\\f', { access: FILE_READ_DATA, share: FILE_SHARE_READ }).Status).toBe(STATUS_SHARING_VIOLATION);
    expect(io.open('c', '\\f:s', { disposition: FILE_OPEN_IF, access: RW }).Status).toBe(STATUS_SUCCESS);
  });
});

describe('deleting a stream vs deleting the file (§21.1, §21.2, §21.5)', () => {
  it('a named stream with delete disposition goes at its last cleanup; the file stays, so its query is FILE_DELETED but FSCTL_GET_OBJECT_ID still answers', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f:s', { disposition: FILE_OPEN_IF, access: RW | DELETE });
    io.open('b', '\\f:s', { access: FILE_READ_DATA });
    expect(io.set('a', C.FileDispositionInformation, { DeleteFile: true }).Status).toBe(STATUS_SUCCESS);
    expect(standard(io.query('b', C.FileStandardInformation)).DeletePending).toBe(true);
    expect(io.open('c', '\\f:s').Status).toBe(STATUS_DELETE_PENDING);
    expect(io.open('d', '\\f').Status).toBe(STATUS_SUCCESS);
    io.cleanup('a');
    expect(io.query('a', C.FileStandardInformation).Status).toBe(STATUS_SUCCESS);
    io.cleanup('b');
    expect(io.query('b', C.FileStandardInformation).Status).toBe(STATUS_FILE_DELETED);
    expect(io.fsctl('b', FSCTL_GET_OBJECT_ID, null, 0, 64).Status).toBe(STATUS_OBJECTID_NOT_FOUND);
    expect(fs.exists('\\f')).toBe(true);
    expect(io.open('e', '\\f:s').Status).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
  });

  it('delete-on-close on a named stream, and FILE_DISPOSITION_ON_CLOSE cleared again, decide at that handle\'s cleanup', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('a', '\\f:s', { disposition: FILE_OPEN_IF, access: RW | DELETE, options: FILE_DELETE_ON_CLOSE });
    io.set('a', C.FileDispositionInformationEx, { Flags: FILE_DISPOSITION_ON_CLOSE });
    io.cleanup('a');
    expect(io.query('a', C.FileStandardInformation).Status).toBe(STATUS_SUCCESS);
    io.open('b', '\\f:s', { access: RW | DELETE, options: FILE_DELETE_ON_CLOSE });
    io.cleanup('b');
    expect(io.query('b', C.FileStandardInformation).Status).toBe(STATUS_FILE_DELETED);
    expect(fs.exists('\\f')).toBe(true);
  });

  it('the default stream\'s disposition deletes the file with its streams when the last handle — here to a named stream — is cleaned up', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('s', '\\f:s', { disposition: FILE_OPEN_IF, access: RW });
    io.open('d', '\\f', { access: DELETE });
    io.set('d', C.FileDispositionInformationEx, { Flags: FILE_DISPOSITION_DELETE });
    io.cleanup('d');
    expect(fs.exists('\\f')).toBe(true);
    io.cleanup('s');
    expect(fs.exists('\\f')).toBe(false);
    expect(io.query('s', C.FileStandardInformation).Status).toBe(STATUS_FILE_DELETED);
    expect(io.fsctl('s', FSCTL_GET_OBJECT_ID, null, 0, 64).Status).toBe(STATUS_FILE_DELETED);
  });
});
