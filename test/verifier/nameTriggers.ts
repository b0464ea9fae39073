/** Triggers for the file-name rules (§16). */
import {
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltGetFileNameInformation,
  FltGetTunneledName,
  FltParseFileNameInformation,
  FltReleaseFileNameInformation,
  IRP_MJ_CREATE,
  IRP_MJ_WRITE,
  STATUS_SUCCESS,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type VerifierRule,
} from '../../src/index.js';
import { readOnce, world, type Trigger } from './world.js';

const NORMALIZED = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT;

/** A filter whose pre-create gets the NORMALIZED name and hands it to `use`; an application opens \f.txt. */
function withName(use: (info: FLT_FILE_NAME_INFORMATION, Data: FLT_CALLBACK_DATA) => void, unload = false): Trigger {
  return () => {
    const w = world({
      'names@300000': () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: function* (Data: FLT_CALLBACK_DATA) {
              const r = yield* FltGetFileNameInformation(Data, NORMALIZED);
              if (r.FileNameInformation !== null) use(r.FileNameInformation, Data);
              return FLT_PREOP_SUCCESS_NO_CALLBACK;
            },
          },
        ],
      }),
    });
    w.sim.spawn('app', () => readOnce(w.sim));
    w.sim.run();
    if (unload) {
      w.sim.spawn('fltmc unload', () => w.sim.FilterUnload('names'));
      w.sim.run();
    }
    return w.sim;
  };
}

export const nameTriggers = {
  NAME_QUERY_AT_DISPATCH: () => {
    const w = world({
      'late@140000': () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_WRITE,
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
            PostOperation: function* (Data: FLT_CALLBACK_DATA) {
              yield* FltGetFileNameInformation(Data, FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT);
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
          },
        ],
      }),
    });
    w.sim.spawn('app', function* (): Blocking<void> {
      const open = yield* w.sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      yield* w.sim.io.NtWriteFile(open.handle!, 'x', 0);
      yield* w.sim.io.NtClose(open.handle!);
    });
    w.sim.run();
    return w.sim;
  },
  FLT_NAME_DOUBLE_RELEASE: withName((info) => {
    FltReleaseFileNameInformation(info);
    FltReleaseFileNameInformation(info);
  }),
  FLT_NAME_USE_AFTER_RELEASE: withName((info) => {
    FltReleaseFileNameInformation(info);
    FltParseFileNameInformation(info);
  }),
  FLT_NAME_MODIFIED: withName((info) => {
    (info as { Name: string }).Name = '\\Device\\HarddiskVolume1\\elsewhere';
    FltReleaseFileNameInformation(info);
  }),
  FLT_NAME_LEAKED: withName(() => undefined, true),
  // In pre-create, where the tunnel cache has not been consulted yet.
  TUNNELED_NAME_OUTSIDE_POST_OPERATION: withName((info, Data) => {
    FltGetTunneledName(Data, info);
    FltReleaseFileNameInformation(info);
  }),
  NAME_PROVIDER_RECURSION: () => {
    const w = world({
      'scanner@385000': () => ({
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: function* (Data: FLT_CALLBACK_DATA) {
              yield* FltGetFileNameInformation(Data, NORMALIZED);
              return FLT_PREOP_SUCCESS_NO_CALLBACK;
            },
          },
        ],
      }),
      'provider@370000': () => ({
        // Forgets to clear REQUEST_FROM_CURRENT_PROVIDER on its nested query.
        GenerateFileNameCallback: function* (_i, _fo, CallbackData, NameOptions) {
          yield* FltGetFileNameInformation(CallbackData!, NameOptions | FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER);
          return STATUS_SUCCESS;
        },
        NormalizeNameComponentCallback: () => STATUS_SUCCESS,
      }),
    });
    w.sim.spawn('app', () => w.sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN }));
    w.sim.run();
    return w.sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
