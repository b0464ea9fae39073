// §16.4: FltParseFileNameInformation's split, on the DDI page's three examples.
import { describe, expect, it } from 'vitest';
import { parseFileNameParts } from '../../src/fltmgr/names/parseFileName.js';
import { FLT_FILE_NAME_NORMALIZED, FLT_FILE_NAME_OPENED, FLT_FILE_NAME_SHORT } from '../../src/index.js';

describe('FltParseFileNameInformation parts (§16.4)', () => {
  it('a normalized remote name: Volume is the redirector, Share the server and share', () => {
    expect(parseFileNameParts('\\Device\\LanManRedirector\\MyServer\\MyShare\\Documents and Settings\\MyUser\\My Documents\\Test Results.txt:stream1', FLT_FILE_NAME_NORMALIZED)).toEqual({
      Volume: '\\Device\\LanManRedirector',
      Share: '\\MyServer\\MyShare',
      ParentDir: '\\Documents and Settings\\MyUser\\My Documents\\',
      FinalComponent: 'Test Results.txt:stream1',
      Extension: 'txt',
      Stream: ':stream1',
    });
  });

  it('an opened local name keeps short components and :$DATA in the stream', () => {
    expect(parseFileNameParts('\\Device\\HarddiskVolume1\\Docume~1\\MyUser\\My Documents\\TestRe~1.txt:stream1:$DATA', FLT_FILE_NAME_OPENED)).toEqual({
      Volume: '\\Device\\HarddiskVolume1',
      Share: '',
      ParentDir: '\\Docume~1\\MyUser\\My Documents\\',
      FinalComponent: 'TestRe~1.txt:stream1:$DATA',
      Extension: 'txt',
      Stream: ':stream1:$DATA',
    });
  });

  it('a short name is only a final component', () => {
    expect(parseFileNameParts('TestRe~1.txt', FLT_FILE_NAME_SHORT)).toEqual({ Volume: '', Share: '', ParentDir: '', FinalComponent: 'TestRe~1.txt', Extension: 'txt', Stream: '' });
  });

  it('the root of a volume has an empty final component; a name without a dot has no extension', () => {
    expect(parseFileNameParts('\\Device\\HarddiskVolume1\\', FLT_FILE_NAME_NORMALIZED)).toMatchObject({ ParentDir: '\\', FinalComponent: '', Extension: '' });
    expect(parseFileNameParts('\\Device\\HarddiskVolume1\\dir.d\\Makefile', FLT_FILE_NAME_NORMALIZED)).toMatchObject({ ParentDir: '\\dir.d\\', FinalComponent: 'Makefile', Extension: '' });
  });
});
