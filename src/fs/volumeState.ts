/**
 * The state a new volume's file system starts with: an empty root directory (with a security
 * descriptor on NTFS), the geometry (sector and cluster size, total bytes), the serial number, and
 * the empty tables of opens, locks, notifications and oplocks. A bad geometry is a UsageError
 * BAD_OPTION. MemoryFileSystem builds one per mount (a remount takes the old one over, remount.ts).
 */
import type { Shape } from '../kernel/dataArguments.js';
import { UsageError } from '../kernel/errors.js';
import type { FsState } from './model.js';
import type { FsVolumeOptions } from './types.js';
import { FIRST_USER_FILE_ID, ROOT_FILE_ID, makeNode } from './model.js';
import { cloneDescriptor, defaultRootDescriptor } from './security.js';
import { FsKernelLink } from './kernelLink.js';
import { EMPTY_SHARE_ACCESS } from './shareAccess.js';

const DEFAULT_TOTAL_BYTES = 64 * 1024 * 1024;
const DEFAULT_SERIAL_NUMBER = 0x5eed0001;

export const FS_VOLUME_OPTIONS: Shape = {
  volumeName: 'string', fsType: 'string', sectorSize: 'integer', now: 'function', readOnly: 'boolean?', fileSystemName: 'string?', label: 'string?', serialNumber: 'integer?',
  totalBytes: 'integer?', clusterSize: 'integer?', rootSecurity: 'object?', tokenGroups: 'function?', shortNames: 'boolean?', filterOplockCreateBreak: 'string?', kernel: 'object?',
};

export function createState(options: FsVolumeOptions): FsState {
  const { sectorSize } = options;
  if (!Number.isInteger(sectorSize) || sectorSize < 512 || (sectorSize & (sectorSize - 1)) !== 0) {
    throw new UsageError('BAD_OPTION', `fltsim fs: sectorSize must be a power of two >= 512, got ${sectorSize}`);
  }
  const clusterSize = options.clusterSize ?? Math.max(4096, sectorSize);
  if (clusterSize % sectorSize !== 0) throw new UsageError('BAD_OPTION', `fltsim fs: clusterSize ${clusterSize} is not a multiple of sectorSize ${sectorSize}`);
  const createdAt = options.now();
  // The default is made afresh: copying it again was a second copy on every mount (every explored schedule mounts).
  const given = options.rootSecurity;
  const security = options.fsType !== 'NTFS' ? null : given !== undefined && given !== null ? cloneDescriptor(given) : defaultRootDescriptor();
  const root = makeNode(ROOT_FILE_ID, 'directory', security, createdAt);
  if (options.shortNames === true) root.shortChildren = new Map();
  return {
    options,
    clusterSize,
    totalBytes: options.totalBytes ?? DEFAULT_TOTAL_BYTES,
    serialNumber: (options.serialNumber ?? DEFAULT_SERIAL_NUMBER) >>> 0,
    createdAt,
    root,
    nodes: new Map([[ROOT_FILE_ID, root]]),
    contexts: new Map(),
    closed: new Set(),
    volumeShare: EMPTY_SHARE_ACCESS,
    nextFileId: FIRST_USER_FILE_ID,
    dismounted: false,
    deviceRemoved: false,
    lockedBy: null,
    link: new FsKernelLink(options.kernel ?? null, `fs:${options.volumeName}`),
    fileLocks: new Map(),
    notifies: new Map(),
    oplocks: new Map(),
  };
}
