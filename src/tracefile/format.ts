/** The trace file's format name and version (the header's first two fields, docs/trace-format.md). */
export const TRACE_FORMAT = 'fltsim-trace';
/** Bumped when a change to the file layout would make an older reader misread a file. */
export const TRACE_FORMAT_VERSION = 1;
