/**
 * The in-memory file system at the bottom of the stack: hand-listed public API.
 * See docs/filesystem.md for what it models and every simplification.
 */
export { MemoryFileSystem } from './memoryFileSystem.js';
export type { FsCompletion, FsFileObjectRef, FsOutput, FsRequest, FsTagData, FsVolumeOptions } from './types.js';
export type { FsSnapshot, FsStat, SeedFileOptions, SnapshotEntry } from './seed.js';
export type { FileObjectShare, ShareAccess } from './shareAccess.js';
export { EMPTY_SHARE_ACCESS, IoCheckShareAccess, IoRemoveShareAccess, IoUpdateShareAccess } from './shareAccess.js';
export { allowedAccess, defaultRootDescriptor, isValidSid, mapGenericMask, selfRelativeSize } from './security.js';
export { matchesPattern } from './directory.js';
