/**
 * Buffers and MDLs as FLT_PARAMETERS carries them (§20.1): a data buffer is a `Uint8Array` (the
 * bytes a pointer would address), an MDL is an object whose system address is a view of the same
 * bytes. The constants are the wdm.h values.
 */

import { badArgument, integerArgument, sizeArgument, ulongArgument } from '../kernel/arguments.js';

/** A memory descriptor list: `ByteCount` bytes of one buffer. Map it with MmGetSystemAddressForMdlSafe. */
export interface MDL {
  readonly id: string;
  readonly ByteCount: number;
  /** The next MDL of a chain (an IRP's secondary buffers). fltsim never chains MDLs, so it is NULL (swapBuffers asserts so). */
  readonly Next: MDL | null;
}

/** LOCK_OPERATION: what FltDecodeParameters says the filter may do with the buffer (§20.5). */
export const IoReadAccess = 0;
export const IoWriteAccess = 1;
export const IoModifyAccess = 2;
export type LOCK_OPERATION = typeof IoReadAccess | typeof IoWriteAccess | typeof IoModifyAccess;

/** MM_PAGE_PRIORITY values and the flag the samples OR in (§20.4). */
export const LowPagePriority = 0;
export const NormalPagePriority = 16;
export const HighPagePriority = 32;
export const MdlMappingNoExecute = 0x40000000;

/** The FLT_PARAMETERS members that hold a data buffer or an MDL (what a swap replaces, §20.6). */
export const BUFFER_FIELDS: ReadonlySet<string> = new Set(['ReadBuffer', 'WriteBuffer', 'DirectoryBuffer', 'MdlAddress']);

/** A pool tag as the log writes it: four characters, as `'pwsB'` reads in a debugger's pool dump. */
export function poolTagText(Tag: number | string): string {
  if (typeof Tag === 'string') return Tag;
  ulongArgument('poolTagText', 'Tag', Tag);
  let text = '';
  for (let i = 0; i < 4; i++) text += String.fromCharCode((Tag >>> (8 * i)) & 0xff);
  return text;
}

/** ROUND_TO_SIZE(Length, Alignment) for a power-of-two Alignment. */
export function ROUND_TO_SIZE(Length: number, Alignment: number): number {
  sizeArgument('ROUND_TO_SIZE', 'Length', Length);
  const alignment = integerArgument('ROUND_TO_SIZE', 'Alignment', Alignment, 1, 2 ** 30, 'an alignment (a power of two from 1)');
  if ((alignment & (alignment - 1)) !== 0) throw badArgument('ROUND_TO_SIZE', `Alignment ${alignment} is not a power of two`);
  return Math.ceil(Length / Alignment) * Alignment;
}
