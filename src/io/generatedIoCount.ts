/**
 * I/O a filter generates counts against its initiating instance and filter from the moment it starts
 * until it completes, or until its asynchronous callback has run: the unload gate waits for the count
 * to reach zero (§10, §14 inv. 18). Kept in the walk, which starts and completes operations, so that
 * the issued-I/O routines above it and the walk share one account.
 */
import type { IoOperation } from './ioOperation.js';

export function countGenerated(op: IoOperation): void {
  const instance = op.initiator;
  if (instance === null) return;
  instance.rundown.add('generatedIo', 1);
  instance.filter.rundown.add('generatedIo', 1);
}

export function releaseGenerated(op: IoOperation): void {
  const instance = op.initiator;
  if (instance === null) return;
  instance.rundown.add('generatedIo', -1);
  instance.filter.rundown.add('generatedIo', -1);
}
