/**
 * Mounting a volume again after a dismount (§21.7: "the next access remounts"). The disk keeps what
 * was written; what the dismounted file system held in memory for its opens does not survive: share
 * access, handle and open counts, delete dispositions (NTFS keeps them in the SCB/CCB, not on disk),
 * byte-range locks, oplocks, directory watches, the volume lock. A file that had lost every name and
 * lived on only through an open is gone. The old file system object stays as it was, dismounted,
 * for the file objects still open on it (their CLEANUP and CLOSE succeed there, §21.7).
 */
import type { FsNode, FsState } from './model.js';
import { FsKernelLink } from './kernelLink.js';
import { EMPTY_SHARE_ACCESS } from './shareAccess.js';
import { ROOT_FILE_ID } from './model.js';

/** The state of a fresh mount over the disk `old` left behind. */
export function remountState(old: FsState): FsState {
  // One structuredClone keeps the graph (links point at parents, streams at their file) and the
  // Maps' insertion order, so enumeration and file ids stay as they were.
  const disk = structuredClone({ root: old.root, nodes: old.nodes });
  const nodes = new Map<number, FsNode>();
  for (const [fileId, node] of disk.nodes) {
    if (node.links.length === 0 && fileId !== ROOT_FILE_ID) continue;
    node.share = EMPTY_SHARE_ACCESS;
    node.uncleanCount = 0;
    node.openCount = 0;
    for (const link of node.links) link.deletePending = false;
    for (const stream of node.streams.values()) {
      stream.share = EMPTY_SHARE_ACCESS;
      stream.uncleanCount = 0;
      stream.deletePending = false;
    }
    nodes.set(fileId, node);
  }
  return {
    options: old.options,
    clusterSize: old.clusterSize,
    totalBytes: old.totalBytes,
    serialNumber: old.serialNumber,
    createdAt: old.createdAt,
    root: disk.root,
    nodes,
    contexts: new Map(),
    closed: new Set(),
    volumeShare: EMPTY_SHARE_ACCESS,
    nextFileId: old.nextFileId,
    dismounted: false,
    deviceRemoved: false,
    lockedBy: null,
    link: new FsKernelLink(old.options.kernel ?? null),
    fileLocks: new Map(),
    notifies: new Map(),
    oplocks: new Map(),
  };
}
