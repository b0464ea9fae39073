// The text trace's parameters in Process Monitor's words (issue 13 item 6): access masks,
// dispositions, create options, share modes, information classes, offsets and lengths.
import { describe, expect, it } from 'vitest';
import {
  DELETE, FILE_ALL_ACCESS, FILE_ATTRIBUTE_NORMAL, FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_INFORMATION_CLASS, FILE_NON_DIRECTORY_FILE,
  FILE_OPEN_IF, FILE_READ_ATTRIBUTES, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SYNCHRONOUS_IO_NONALERT, SYNCHRONIZE,
} from '../../src/index.js';
import { accessMaskText, parametersText } from '../../src/trace/parameterText.js';

describe('parametersText', () => {
  it('a create as Process Monitor shows it: access, disposition (high byte of Options), options, attributes, share mode', () => {
    const create = { Create: { SecurityContext: { DesiredAccess: FILE_GENERIC_READ }, Options: (FILE_OPEN_IF << 24) | FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, FileAttributes: FILE_ATTRIBUTE_NORMAL, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, EaLength: 0 } };
    expect(parametersText(create)).toBe('Desired Access: Generic Read, Disposition: Open If, Options: Synchronous IO Non-Alert, Non Directory File, Attributes: Normal, ShareMode: Read, Write');
  });

  it('access masks: the generic composite first, then the rights left over; single rights by name', () => {
    expect(accessMaskText(FILE_GENERIC_READ | FILE_GENERIC_WRITE)).toBe('Generic Read/Write');
    expect(accessMaskText(FILE_GENERIC_READ | DELETE)).toBe('Generic Read, Delete');
    expect(accessMaskText(FILE_READ_ATTRIBUTES | SYNCHRONIZE)).toBe('Read Attributes, Synchronize');
    expect(accessMaskText(FILE_ALL_ACCESS)).toBe('All Access');
    expect(accessMaskText(0)).toBe('None');
  });

  it('reads and writes by offset and length; queries by information class; unknown members as Name: value', () => {
    expect(parametersText({ Read: { Length: 8, Key: 0, ByteOffset: 4096 } })).toBe('Offset: 4096, Length: 8');
    expect(parametersText({ Write: { Length: 3, Key: 0, ByteOffset: 0 }, buffer: { bytes: 3 } })).toBe('Offset: 0, Length: 3, Buffer: 3 bytes');
    expect(parametersText({ QueryFileInformation: { Length: 24, FileInformationClass: FILE_INFORMATION_CLASS.FileStandardInformation } })).toBe('Class: FileStandardInformation, Length: 24');
    expect(parametersText({ Other: { Thing: 7 } })).toBe('Thing: 7');
  });
});
