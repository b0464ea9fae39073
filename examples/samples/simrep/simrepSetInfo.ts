/**
 * SimRepPreSetInformation (registered only with RemapRenamesAndLinks): a rename or hard link whose
 * destination overlaps the mapping is sent again by simrep itself with FltSetInformationFile,
 * carrying the munged full destination, and the original operation is completed with its status —
 * so filters below simrep that ask FltGetDestinationFileNameInformation see where the file really
 * goes. Every other information class passes.
 */
import {
  FILE_INFORMATION_CLASS,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLT_PREOP_COMPLETE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltGetDestinationFileNameInformation,
  FltParseFileNameInformation,
  FltReleaseFileNameInformation,
  FltSetInformationFile,
  FO_OPENED_CASE_SENSITIVE,
  NT_SUCCESS,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type Blocking,
  type FILE_RENAME_INFORMATION,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_PREOP_CALLBACK_STATUS,
  type FLT_RELATED_OBJECTS,
  type NTSTATUS,
} from '../../../src/index.js';
import { DEBUG_TRACE_ERROR, DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS, DebugTrace, hex, type SIMREP_GLOBAL_DATA } from './simrepGlobals.js';
import type { SimRepNames } from './simrepNames.js';

/** FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) on x64 (also FILE_LINK_INFORMATION's). */
const RENAME_INFORMATION_NAME_OFFSET = 20;

export function simrepSetInformation(Globals: SIMREP_GLOBAL_DATA, names: SimRepNames) {
  function* SimRepPreSetInformation(Cbd: FLT_CALLBACK_DATA, FltObjects: FLT_RELATED_OBJECTS, CompletionContext: { value: unknown }): Blocking<FLT_PREOP_CALLBACK_STATUS> {
    void CompletionContext;
    let returnStatus: FLT_PREOP_CALLBACK_STATUS = FLT_PREOP_SUCCESS_NO_CALLBACK;
    let status: NTSTATUS = STATUS_SUCCESS;
    let nameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    if (!Globals.RemapRenamesAndLinks) throw new Error('NT_ASSERT: SimRepPreSetInformation without RemapRenamesAndLinks');
    const setFileInformation = (Cbd.Iopb.Parameters as { SetFileInformation: { FileInformationClass: number; InfoBuffer: unknown } }).SetFileInformation;
    const fileInfoClass = setFileInformation.FileInformationClass;
    do {
      // A rename of the mapping path itself is never seen: its open was reparsed to the new mapping
      // (unlike a real reparse point, which a rename of the link would move).
      if (fileInfoClass !== FILE_INFORMATION_CLASS.FileRenameInformation && fileInfoClass !== FILE_INFORMATION_CLASS.FileRenameInformationEx && fileInfoClass !== FILE_INFORMATION_CLASS.FileLinkInformation) break;
      const setInfo = setFileInformation.InfoBuffer as FILE_RENAME_INFORMATION;
      // The FileName in the request does not say where a reparsed target directory really is:
      // lower filters would get the wrong destination. Ask simrep itself (the current provider),
      // then send the rename again with the munged name.
      const destination = yield* FltGetDestinationFileNameInformation(
        FltObjects.Instance,
        FltObjects.FileObject!,
        setInfo.RootDirectory,
        setInfo.FileName,
        setInfo.FileName.length * 2,
        FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER | FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT,
      );
      status = destination.status;
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreSetInformation -> Failed to get destination filename information (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      nameInfo = destination.FileNameInformation!;
      status = FltParseFileNameInformation(nameInfo);
      if (!NT_SUCCESS(status)) break;
      // Stream renames are the same whether or not the file was redirected.
      if (nameInfo.Stream.length !== 0) break;
      const ignoreCase = ((FltObjects.FileObject?.Flags ?? 0) & FO_OPENED_CASE_SENSITIVE) === 0;
      // A destination under the new mapping is sent again as it is, so the name is explicit.
      let munged = names.SimRepMungeName(nameInfo, Globals.Mapping.NewName!, Globals.Mapping.NewName!, ignoreCase, false);
      if (munged.status === STATUS_NOT_FOUND) {
        // The destination is exactly the old mapping: no parent overlaps it, so name resolution
        // did not reparse it; munge it here.
        munged = names.SimRepMungeName(nameInfo, Globals.Mapping.OldName!, Globals.Mapping.NewName!, ignoreCase, true);
      }
      status = munged.status;
      if (!NT_SUCCESS(status)) {
        // No overlap with the mapping at all: nothing to munge.
        if (status === STATUS_NOT_FOUND) status = STATUS_SUCCESS;
        break;
      }
      const newFileName = munged.MungedPath!;
      // FILE_RENAME_INFORMATION and FILE_LINK_INFORMATION share the layout the model uses.
      const buffer: FILE_RENAME_INFORMATION = { ReplaceIfExists: setInfo.ReplaceIfExists, RootDirectory: null, FileName: newFileName };
      const bufferLength = RENAME_INFORMATION_NAME_OFFSET + newFileName.length * 2;
      DebugTrace(Globals, DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS, `[SimRep]: SimRepPreSetInformation -> Redirecting ${nameInfo.Name} to ${newFileName}`);
      const sent = yield* FltSetInformationFile(FltObjects.Instance, FltObjects.FileObject!, { ...buffer }, bufferLength, fileInfoClass);
      status = sent.status;
      if (!NT_SUCCESS(status)) {
        DebugTrace(Globals, DEBUG_TRACE_RENAME_REDIRECTION_OPERATIONS | DEBUG_TRACE_ERROR, `[SimRep]: SimRepPreSetInformation -> Failed sending FltSetInformationFile (FileObject = ${FltObjects.FileObject?.id ?? 'NULL'})`);
        break;
      }
      Cbd.IoStatus.Status = status;
      returnStatus = FLT_PREOP_COMPLETE;
    } while (false);
    if (nameInfo !== null) FltReleaseFileNameInformation(nameInfo);
    if (!NT_SUCCESS(status)) {
      DebugTrace(Globals, DEBUG_TRACE_ERROR, `[SimRep]: SimRepSetInformation -> Failed with status ${hex(status)}`);
      Cbd.IoStatus.Status = status;
      returnStatus = FLT_PREOP_COMPLETE;
    }
    return returnStatus;
  }

  return { SimRepPreSetInformation };
}
