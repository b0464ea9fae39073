/**
 * 8.3 short names (§21.6): a volume that generates them gives long names an alias; opens through
 * the alias reach the same file; FileNameInformation keeps the name as typed while
 * FileNormalizedNameInformation expands it (what FLT_FILE_NAME_OPENED vs NORMALIZED rest on, §16.2).
 */
import { describe, expect, it } from 'vitest';
import { makeFs, outputInfo } from './helpers.js';
import { generateShortName, isLegal83Name } from '../../src/fs/shortNames.js';
import type { DirectoryEntry, FILE_NAME_INFORMATION } from '../../src/wdk/parameters.js';
import { DELETE, FILE_INFORMATION_CLASS as C, FILE_READ_ATTRIBUTES } from '../../src/wdk/fileConstants.js';
import { STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS } from '../../src/wdk/ntstatus.js';

describe('8.3 aliases (§21.6)', () => {
  it('a legal 8.3 name needs no alias; a long one gets BASENA~N.EXT, unique in its directory', () => {
    expect(isLegal83Name('README.TXT')).toBe(true);
    expect(isLegal83Name('Long File Name.txt')).toBe(false);
    expect(isLegal83Name('a.b.c')).toBe(false);
    const taken = new Set<string>();
    const alias = (name: string): string | null => {
      const a = generateShortName(name, (u) => taken.has(u));
      if (a !== null) taken.add(a);
      return a;
    };
    expect(alias('README.TXT')).toBeNull();
    expect(alias('Long File Name.txt')).toBe('LONGFI~1.TXT');
    expect(alias('Long File Names.txt')).toBe('LONGFI~2.TXT');
    expect(alias('.profile')).toBe('PROFIL~1');
  });

  it('an open through the alias reaches the file; the opened name keeps it, the normalized name expands it', () => {
    const { fs, io } = makeFs({ shortNames: true });
    fs.mkdir('\\Documents and Settings');
    fs.writeFile('\\Documents and Settings\\Test Results.txt', 'x');
    expect(io.open('a', '\\DOCUME~1\\TESTRE~1.TXT', { access: FILE_READ_ATTRIBUTES }).Status).toBe(STATUS_SUCCESS);
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('a', C.FileNameInformation)).FileName).toBe('\\DOCUME~1\\TESTRE~1.TXT');
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('a', C.FileNormalizedNameInformation)).FileName).toBe('\\Documents and Settings\\Test Results.txt');
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('a', C.FileAlternateNameInformation)).FileName).toBe('TESTRE~1.TXT');
    expect(fs.normalizeUnopenedName('\\docume~1\\New File.txt', null)).toEqual({ status: STATUS_SUCCESS, name: '\\Documents and Settings\\New File.txt' });
  });

  it('directory entries carry the alias; a rename gives the new name its own', () => {
    const { fs, io } = makeFs({ shortNames: true });
    fs.writeFile('\\Quarterly Report.docx', 'x');
    io.open('d', '\\', { access: 0x1 });
    const listed = io.dir('d', C.FileBothDirectoryInformation);
    const entries = listed.output?.kind === 'directory' ? (listed.output.entries as (DirectoryEntry & { ShortName?: string })[]) : [];
    expect(entries.map((e) => [e.FileName, e.ShortName])).toEqual([['Quarterly Report.docx', 'QUARTE~1.DOC']]);
    io.open('f', '\\QUARTE~1.DOC', { access: DELETE | FILE_READ_ATTRIBUTES });
    expect(io.set('f', C.FileRenameInformation, { ReplaceIfExists: false, RootDirectory: null, FileName: '\\Annual Summary.docx' }).Status).toBe(STATUS_SUCCESS);
    expect(outputInfo<FILE_NAME_INFORMATION>(io.query('f', C.FileAlternateNameInformation)).FileName).toBe('ANNUAL~1.DOC');
    expect(fs.exists('\\ANNUAL~1.DOC')).toBe(true);
    expect(fs.exists('\\QUARTE~1.DOC')).toBe(false);
  });

  it('without 8.3 generation (the default) there is no alternate name', () => {
    const { fs, io } = makeFs();
    fs.writeFile('\\Long File Name.txt', 'x');
    io.open('a', '\\Long File Name.txt', { access: FILE_READ_ATTRIBUTES });
    expect(io.query('a', C.FileAlternateNameInformation).Status).toBe(STATUS_OBJECT_NAME_NOT_FOUND);
    expect(fs.exists('\\LONGFI~1.TXT')).toBe(false);
  });
});
