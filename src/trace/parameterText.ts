/**
 * An operation's parameters in the words Process Monitor uses, for the text trace:
 * `Desired Access: Generic Read, Disposition: Open, Options: Synchronous IO Non-Alert, Attributes: n/a,
 * ShareMode: Read` for a create, `Offset: 0, Length: 8` for a read, the information class by name
 * for queries and sets. Members this does not know are printed `Name: value`, so a new parameter
 * block is readable before it gets words of its own.
 */
import {
  ACCESS_MASK_NAMES,
  CREATE_DISPOSITION_NAMES,
  CREATE_OPTION_NAMES,
  FILE_ALL_ACCESS,
  FILE_ATTRIBUTE_NAMES,
  FILE_GENERIC_EXECUTE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  SHARE_ACCESS_NAMES,
} from '../wdk/createConstants.js';
import { FSCTL_NAMES } from '../wdk/fileObjectConstants.js';
import { FILE_INFORMATION_CLASS, FS_INFORMATION_CLASS } from '../wdk/informationClasses.js';

/** `FILE_SYNCHRONOUS_IO_NONALERT` → `Synchronous IO Non-Alert`, `FILE_READ_DATA` → `Read Data`. */
export function words(constant: string): string {
  return constant
    .replace(/^(FILE_SHARE_|FILE_ATTRIBUTE_|FILE_)/, '')
    .split('_')
    .map((w) => (w === 'IO' || w === 'EA' ? w : w === 'NONALERT' ? 'Non-Alert' : w.charAt(0) + w.slice(1).toLowerCase()))
    .join(' ');
}

function bitWords(value: number, names: Readonly<Record<number, string>>): string[] {
  const out: string[] = [];
  let rest = value >>> 0;
  for (let bit = 1; bit !== 0 && bit <= 0x80000000; bit = (bit << 1) >>> 0) {
    if ((rest & bit) === 0) continue;
    const name = names[bit];
    if (name !== undefined) {
      out.push(words(name));
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out;
}

const COMPOSITES: readonly (readonly [number, string])[] = [
  [FILE_ALL_ACCESS, 'All Access'],
  [FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE, 'Generic Read/Write/Execute'],
  [FILE_GENERIC_READ | FILE_GENERIC_WRITE, 'Generic Read/Write'],
  [FILE_GENERIC_READ | FILE_GENERIC_EXECUTE, 'Generic Read/Execute'],
  [FILE_GENERIC_READ, 'Generic Read'],
  [FILE_GENERIC_WRITE, 'Generic Write'],
  [FILE_GENERIC_EXECUTE, 'Generic Execute'],
];

/** An ACCESS_MASK: the generic composite it contains (if any), then the rights left over. */
export function accessMaskText(mask: number): string {
  if (mask === 0) return 'None';
  for (const [composite, name] of COMPOSITES) {
    if ((mask & composite) === composite) {
      const rest = bitWords((mask & ~composite) >>> 0, ACCESS_MASK_NAMES);
      return [name, ...rest].join(', ');
    }
  }
  return bitWords(mask, ACCESS_MASK_NAMES).join(', ');
}

function flagsText(value: number, names: Readonly<Record<number, string>>): string {
  return value === 0 ? 'n/a' : bitWords(value, names).join(', ');
}

function classText(value: unknown, classes: Readonly<Record<string, number>>): string {
  const name = Object.entries(classes).find(([, n]) => n === value)?.[0];
  return name ?? String(value);
}

function plain(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (Object.keys(v).length === 1 && typeof v['bytes'] === 'number') return `${v['bytes']} bytes`;
    return JSON.stringify(value).replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, '$1:');
  }
  return String(value);
}

const PAGE_PROTECTION_NAMES: Readonly<Record<number, string>> = { 0: '0', 0x02: 'PAGE_READONLY', 0x04: 'PAGE_READWRITE', 0x40: 'PAGE_EXECUTE_READWRITE' };

/** One member's fields (`Create`, `Read`, …) in Process Monitor's words. */
function memberText(member: string, fields: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const used = new Set<string>();
  const take = (key: string): unknown => (used.add(key), fields[key]);
  // NetworkQueryOpen.Irp: the create it stands for, in the create's words (its SL_* flags only when set).
  if (member === 'Create' || member === 'Irp') {
    const security = (member === 'Irp' ? { DesiredAccess: take('DesiredAccess') } : take('SecurityContext')) as { DesiredAccess?: number } | undefined;
    if (typeof security?.DesiredAccess === 'number') out.push(`Desired Access: ${accessMaskText(security.DesiredAccess)}`);
    if (member === 'Irp' && fields['Flags'] === 0) used.add('Flags');
    const options = take('Options');
    if (typeof options === 'number') {
      // Parameters.Create.Options: the disposition in the high byte, the create options below it.
      out.push(`Disposition: ${words(CREATE_DISPOSITION_NAMES[options >>> 24] ?? String(options >>> 24))}`);
      out.push(`Options: ${flagsText(options & 0x00ffffff, CREATE_OPTION_NAMES)}`);
    }
    const attributes = take('FileAttributes');
    if (typeof attributes === 'number') out.push(`Attributes: ${flagsText(attributes, FILE_ATTRIBUTE_NAMES)}`);
    const share = take('ShareAccess');
    if (typeof share === 'number') out.push(`ShareMode: ${share === 0 ? 'None' : bitWords(share, SHARE_ACCESS_NAMES).join(', ')}`);
    if (fields['EaLength'] === 0) used.add('EaLength');
  } else if (member === 'AcquireForSectionSynchronization') {
    // As Process Monitor writes its CreateFileMapping line (§24.1).
    const sync = take('SyncType');
    out.push(`SyncType: ${sync === 1 ? 'SyncTypeCreateSection' : sync === 0 ? 'SyncTypeOther' : plain(sync)}`);
    const protection = take('PageProtection');
    out.push(`PageProtection: ${PAGE_PROTECTION_NAMES[protection as number] ?? plain(protection)}`);
  } else if (member === 'Read' || member === 'Write') {
    if ('ByteOffset' in fields) out.push(`Offset: ${plain(take('ByteOffset'))}`);
    if ('Length' in fields) out.push(`Length: ${plain(take('Length'))}`);
    if (fields['Key'] === 0) used.add('Key');
  } else {
    if ('FileInformationClass' in fields) out.push(`Class: ${classText(take('FileInformationClass'), FILE_INFORMATION_CLASS)}`);
    if ('FsInformationClass' in fields) out.push(`Class: ${classText(take('FsInformationClass'), FS_INFORMATION_CLASS)}`);
    if ('FsControlCode' in fields) {
      const code = take('FsControlCode') as number;
      out.push(`Control: ${FSCTL_NAMES[code] ?? `0x${code.toString(16)}`}`);
    }
  }
  for (const [key, value] of Object.entries(fields)) {
    if (used.has(key) || value === undefined || value === null) continue;
    // A nested block (DirectoryControl's QueryDirectory): its fields in the same words.
    if (typeof value === 'object' && !Array.isArray(value) && !('bytes' in value)) out.push(...memberText(key, value as Record<string, unknown>));
    else out.push(`${key}: ${plain(value)}`);
  }
  return out;
}

/** The parameters summary an IoStart carries (`{ Create: {...} }`), as one readable clause. */
export function parametersText(parameters: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [member, fields] of Object.entries(parameters)) {
    if (member === 'buffer') parts.push(`Buffer: ${plain(fields)}`);
    else if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) parts.push(...memberText(member, fields as Record<string, unknown>));
    else parts.push(`${member}: ${plain(fields)}`);
  }
  return parts.join(', ');
}
