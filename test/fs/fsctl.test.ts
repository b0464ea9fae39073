import { describe, expect, it } from 'vitest';
import { makeFs } from './helpers.js';
import type { FILE_OBJECTID_BUFFER } from '../../src/wdk/parameters.js';
import {
  FILE_CREATE,
  FILE_GENERIC_WRITE,
  FILE_READ_ATTRIBUTES,
  FSCTL_CREATE_OR_GET_OBJECT_ID,
  FSCTL_DELETE_OBJECT_ID,
  FSCTL_GET_OBJECT_ID,
  FSCTL_IS_VOLUME_MOUNTED,
  FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
  FSCTL_REQUEST_BATCH_OPLOCK,
  FSCTL_REQUEST_FILTER_OPLOCK,
  FSCTL_REQUEST_OPLOCK,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  FSCTL_REQUEST_OPLOCK_LEVEL_2,
  FSCTL_SET_OBJECT_ID,
  FSCTL_LOCK_VOLUME,
  FSCTL_UNLOCK_VOLUME,
  FSCTL_DISMOUNT_VOLUME,
  FILE_READ_DATA,
  FILE_WRITE_DATA,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  CTL_CODE,
} from '../../src/wdk/fileConstants.js';
import {
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECTID_NOT_FOUND,
  STATUS_OPLOCK_NOT_GRANTED,
  STATUS_SUCCESS,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_LOCKED,
  STATUS_VOLUME_DISMOUNTED,
} from '../../src/wdk/ntstatus.js';
import { STATUS_INVALID_OPLOCK_PROTOCOL } from '../../src/wdk/ntstatus.js';
import { encodeRequestOplockInputBuffer, OPLOCK_LEVEL_CACHE_READ, REQUEST_OPLOCK_INPUT_FLAG_REQUEST } from '../../src/wdk/requestOplock.js';
import {  } from '../../src/fs/index.js';

function objectId(c: { output?: { kind: string; buffer?: unknown } }): FILE_OBJECTID_BUFFER | null {
  return c.output?.kind === 'objectId' ? (c.output.buffer as FILE_OBJECTID_BUFFER) : null;
}

describe('FSCTL codes', () => {
  it('the WDK values match CTL_CODE(FILE_DEVICE_FILE_SYSTEM, n, METHOD_BUFFERED, FILE_ANY_ACCESS)', () => {
    expect(CTL_CODE(9, 39, 0, 0)).toBe(FSCTL_GET_OBJECT_ID);
    expect(CTL_CODE(9, 48, 0, 0)).toBe(FSCTL_CREATE_OR_GET_OBJECT_ID);
    expect(CTL_CODE(9, 23, 0, 0)).toBe(FSCTL_REQUEST_FILTER_OPLOCK);
    expect(CTL_CODE(9, 144, 0, 0)).toBe(FSCTL_REQUEST_OPLOCK);
  });
});

describe('object ids', () => {
  it('FSCTL_GET_OBJECT_ID without one is STATUS_OBJECTID_NOT_FOUND; CREATE_OR_GET makes a deterministic one', () => {
    const a = makeFs();
    a.io.open('f', '\\x', { disposition: FILE_CREATE, access: FILE_READ_ATTRIBUTES });
    expect(a.io.fsctl('f', FSCTL_GET_OBJECT_ID, null, 0, 64).Status).toBe(STATUS_OBJECTID_NOT_FOUND);
    const created = a.io.fsctl('f', FSCTL_CREATE_OR_GET_OBJECT_ID, null, 0, 64);
    expect(created).toMatchObject({ Status: STATUS_SUCCESS, Information: 64 });
    const b = makeFs();
    b.io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(objectId(b.io.fsctl('f', FSCTL_CREATE_OR_GET_OBJECT_ID, null, 0, 64))).toEqual(objectId(created));
    expect(objectId(a.io.fsctl('f', FSCTL_GET_OBJECT_ID, null, 0, 64))?.ObjectId).toBe(objectId(created)?.ObjectId);
    expect(a.io.fsctl('f', FSCTL_GET_OBJECT_ID, null, 0, 63).Status).toBe(STATUS_BUFFER_TOO_SMALL);
  });

  it('FSCTL_SET_OBJECT_ID refuses a second id; FSCTL_DELETE_OBJECT_ID removes it; both need write access', () => {
    const { io } = makeFs();
    const id: FILE_OBJECTID_BUFFER = { ObjectId: 'aaaaaaaa-0000-0000-0000-000000000001', BirthVolumeId: '', BirthObjectId: '', DomainId: '' };
    io.open('r', '\\x', { disposition: FILE_CREATE, access: FILE_READ_ATTRIBUTES });
    expect(io.fsctl('r', FSCTL_SET_OBJECT_ID, id, 64).Status).toBe(STATUS_ACCESS_DENIED);
    io.open('w', '\\x', { access: FILE_GENERIC_WRITE });
    expect(io.fsctl('w', FSCTL_SET_OBJECT_ID, id, 64).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('w', FSCTL_SET_OBJECT_ID, id, 64).Status).toBe(STATUS_OBJECT_NAME_COLLISION);
    expect(io.fsctl('w', FSCTL_DELETE_OBJECT_ID).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('w', FSCTL_GET_OBJECT_ID, null, 0, 64).Status).toBe(STATUS_OBJECTID_NOT_FOUND);
  });

  it('FAT has no object ids: STATUS_INVALID_DEVICE_REQUEST', () => {
    const { io } = makeFs({ fsType: 'FAT' });
    io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(io.fsctl('f', FSCTL_CREATE_OR_GET_OBJECT_ID, null, 0, 64).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});

describe('oplocks and unknown FSCTLs', () => {
  it.each([FSCTL_REQUEST_OPLOCK_LEVEL_1, FSCTL_REQUEST_OPLOCK_LEVEL_2, FSCTL_REQUEST_BATCH_OPLOCK, FSCTL_REQUEST_FILTER_OPLOCK])(
    'oplock request 0x%s from an issuer that waits for it (synchronous I/O) is not granted (STATUS_OPLOCK_NOT_GRANTED)',
    (code) => {
      const { io } = makeFs();
      io.open('f', '\\x', { disposition: FILE_CREATE });
      expect(io.fsctl('f', code).Status).toBe(STATUS_OPLOCK_NOT_GRANTED);
    },
  );

  it('FSCTL_REQUEST_OPLOCK (§21.8): from an issuer that waits, not granted; without a REQUEST_OPLOCK_INPUT_BUFFER, STATUS_INVALID_PARAMETER', () => {
    const { io } = makeFs();
    io.open('f', '\\x', { disposition: FILE_CREATE });
    const input = encodeRequestOplockInputBuffer(OPLOCK_LEVEL_CACHE_READ, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    expect(io.fsctl('f', FSCTL_REQUEST_OPLOCK, input, input.length).Status).toBe(STATUS_OPLOCK_NOT_GRANTED);
    expect(io.fsctl('f', FSCTL_REQUEST_OPLOCK).Status).toBe(STATUS_INVALID_PARAMETER);
  });

  it('a break acknowledgement without an oplock is STATUS_INVALID_OPLOCK_PROTOCOL', () => {
    const { io } = makeFs();
    io.open('f', '\\x', { disposition: FILE_CREATE });
    expect(io.fsctl('f', FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).Status).toBe(STATUS_INVALID_OPLOCK_PROTOCOL);
  });

  it('FSCTL_IS_VOLUME_MOUNTED succeeds; an unknown FSCTL is STATUS_INVALID_DEVICE_REQUEST', () => {
    const { io } = makeFs();
    io.open('v', '');
    expect(io.fsctl('v', FSCTL_IS_VOLUME_MOUNTED).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('v', CTL_CODE(9, 999, 0, 0)).Status).toBe(STATUS_INVALID_DEVICE_REQUEST);
  });
});

describe('volume lock, unlock and dismount (§21.7)', () => {
  const volumeOpen = { access: FILE_READ_DATA | FILE_WRITE_DATA, share: FILE_SHARE_READ | FILE_SHARE_WRITE };

  it('a lock fails with STATUS_ACCESS_DENIED while another file object is open; alone it locks, new opens are refused, cleanup of the locker unlocks', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('v', '', volumeOpen);
    io.open('f', '\\f');
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_ACCESS_DENIED);
    io.cleanup('f');
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_ACCESS_DENIED); // cleaned up, not yet closed: still open
    io.close('f');
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.open('g', '\\f').Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.fsctl('v', FSCTL_UNLOCK_VOLUME).Status).toBe(STATUS_SUCCESS);
    expect(io.fsctl('v', FSCTL_UNLOCK_VOLUME).Status).toBe(STATUS_NOT_LOCKED);
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_SUCCESS);
    io.cleanup('v');
    expect(io.open('g', '\\f').Status).toBe(STATUS_SUCCESS);
  });

  it('only a volume open may lock or dismount; a dismount succeeds in use, then everything but cleanup and close is STATUS_VOLUME_DISMOUNTED', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\f', 'x');
    io.open('f', '\\f');
    expect(io.fsctl('f', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_INVALID_PARAMETER);
    expect(io.fsctl('f', FSCTL_DISMOUNT_VOLUME).Status).toBe(STATUS_INVALID_PARAMETER);
    io.open('v', '', volumeOpen);
    expect(io.fsctl('v', FSCTL_DISMOUNT_VOLUME).Status).toBe(STATUS_SUCCESS);
    expect(io.read('f', 0, 1).Status).toBe(STATUS_VOLUME_DISMOUNTED);
    expect(io.open('g', '\\f').Status).toBe(STATUS_VOLUME_DISMOUNTED);
    expect([io.cleanup('f').Status, io.close('f').Status, io.cleanup('v').Status, io.close('v').Status]).toEqual([0, 0, 0, 0]);
  });

  it('the locker may dismount its locked volume; nobody else can even open it', () => {
    const { io } = makeFs();
    io.open('v', '', volumeOpen);
    expect(io.fsctl('v', FSCTL_LOCK_VOLUME).Status).toBe(STATUS_SUCCESS);
    expect(io.open('w', '', volumeOpen).Status).toBe(STATUS_ACCESS_DENIED);
    expect(io.fsctl('v', FSCTL_DISMOUNT_VOLUME).Status).toBe(STATUS_SUCCESS);
  });
});
