/**
 * Name providers (§16.6): which provider instance answers a query, and calling its callbacks.
 *
 * Dispatch [model, §16.6]: a query from instance X goes to the nearest provider instance below X on
 * the volume (X itself with FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER, if X is a provider); the
 * provider's own nested queries therefore go below it; with no provider left FltMgr asks the file
 * system. A NORMALIZED request is first offered as NORMALIZED (Windows 8 and later); a provider
 * answering STATUS_NOT_SUPPORTED gets an OPENED request instead, and each component of that name is
 * then expanded by NormalizeNameComponent(Ex)Callback, followed by NormalizeContextCleanupCallback.
 */
import type { Blocking } from '../../kernel/effects.js';
import type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
import type { FileObject } from '../../io/fileObject.js';
import type { FilterManager } from '../filterManager.js';
import type { InstanceObject } from '../instanceObject.js';
import type { VolumeObject } from '../volumeObject.js';
import type { FILE_NAMES_INFORMATION_OUT, FLT_NAME_CONTROL } from '../registration.js';
import { compareAltitudes } from '../../wdk/altitude.js';
import {
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLT_VALID_FILE_NAME_FORMATS,
} from '../../wdk/nameConstants.js';
import { NT_SUCCESS, STATUS_NO_SUCH_FILE, STATUS_NOT_SUPPORTED, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, type NTSTATUS } from '../../wdk/ntstatus.js';
import { checkStatusResult } from '../routineSupport.js';

export function isNameProvider(instance: InstanceObject): boolean {
  return typeof instance.filter.registration.GenerateFileNameCallback === 'function';
}

/** The provider instance a query from `caller` (null: from above every instance) goes to, or null for the file system. */
export function providerFor(volume: VolumeObject, caller: InstanceObject | null, options: number): InstanceObject | null {
  if (caller !== null && options & FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER && isNameProvider(caller) && caller.receivesOperations) return caller;
  for (const instance of volume.instances) {
    if (!instance.receivesOperations || !isNameProvider(instance)) continue;
    if (caller === null || compareAltitudes(instance.altitude, caller.altitude) < 0) return instance;
  }
  return null;
}

export interface ProvidedName {
  readonly status: NTSTATUS;
  readonly name: string;
  /** The provider allowed caching (*CacheFileNameInformation). */
  readonly cache: boolean;
}

/** Run `provider`'s callbacks for one name; the provider frame is on the thread while they run. */
export function* nameFromProvider(
  fltMgr: FilterManager,
  provider: InstanceObject,
  fileObject: FileObject,
  data: FLT_CALLBACK_DATA | null,
  options: number,
): Blocking<ProvidedName> {
  const thread = fltMgr.kernel.current;
  const frames = fltMgr.names.frames(thread?.id ?? '');
  frames.push({ instance: provider, fileObjectId: fileObject.id });
  try {
    const format = options & FLT_VALID_FILE_NAME_FORMATS;
    const generated = yield* generate(fltMgr, provider, fileObject, data, options);
    if (format !== FLT_FILE_NAME_NORMALIZED || generated.status !== STATUS_NOT_SUPPORTED) return generated;
    const opened = yield* generate(fltMgr, provider, fileObject, data, (options & ~FLT_VALID_FILE_NAME_FORMATS) | FLT_FILE_NAME_OPENED);
    if (!NT_SUCCESS(opened.status)) return opened;
    const normalized = yield* normalizeComponents(fltMgr, provider, fileObject, opened.name, 0);
    return { ...normalized, cache: opened.cache };
  } finally {
    frames.pop();
  }
}

function* generate(fltMgr: FilterManager, provider: InstanceObject, fileObject: FileObject, data: FLT_CALLBACK_DATA | null, options: number): Blocking<ProvidedName> {
  const callback = provider.filter.registration.GenerateFileNameCallback!;
  const cache = { value: false };
  const control: FLT_NAME_CONTROL = { Name: '' };
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fileObject.id, type: 'GenerateFileName', instance: provider.id, options });
  const raw = yield* fltMgr.invoke(provider.filter, () => callback(provider, fileObject, data, options, cache, control));
  const status = checkStatusResult(fltMgr, provider.filter, 'GenerateFileNameCallback', raw);
  const name = NT_SUCCESS(status) && typeof control.Name === 'string' ? control.Name : '';
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fileObject.id, type: 'GenerateFileNameReturned', instance: provider.id, status, name, cache: cache.value === true });
  return { status, name, cache: cache.value === true };
}

/**
 * Expand each component of `opened` (a full name starting with the volume) through the provider's
 * NormalizeNameComponent(Ex)Callback. A missing final component stays as it is (a create of a new
 * file); a missing intermediate one fails the name with the provider's status. A stream part of the
 * final component is kept, without `:$DATA`.
 */
export function* normalizeComponents(fltMgr: FilterManager, provider: InstanceObject, fileObject: FileObject, opened: string, flags: number): Blocking<ProvidedName> {
  const registration = provider.filter.registration;
  const volumeName = provider.volume.name;
  if (!opened.toLowerCase().startsWith(volumeName.toLowerCase())) return { status: STATUS_SUCCESS, name: opened, cache: false };
  const components = opened.slice(volumeName.length).split('\\').filter((c) => c !== '');
  const context = { value: null as unknown };
  let parent = volumeName;
  const out: string[] = [];
  let status: NTSTATUS = STATUS_SUCCESS;
  for (let i = 0; i < components.length; i++) {
    const last = i === components.length - 1;
    const [base, ...streamParts] = components[i]!.split(':');
    const component = base!;
    const expand: FILE_NAMES_INFORMATION_OUT = { FileNameLength: 0, FileName: '' };
    const parentDirectory = parent === volumeName ? `${volumeName}\\` : parent;
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fileObject.id, type: 'NormalizeNameComponent', instance: provider.id, parent: parentDirectory, component, flags });
    const ex = registration.NormalizeNameComponentExCallback;
    const plain = registration.NormalizeNameComponentCallback;
    const raw = yield* fltMgr.invoke(provider.filter, () =>
      ex !== undefined
        ? ex(provider, fileObject, parentDirectory, volumeName.length * 2, component, expand, 4096, flags, context)
        : plain!(provider, parentDirectory, volumeName.length * 2, component, expand, 4096, flags, context),
    );
    const result = checkStatusResult(fltMgr, provider.filter, ex !== undefined ? 'NormalizeNameComponentExCallback' : 'NormalizeNameComponentCallback', raw);
    const expanded = NT_SUCCESS(result) && typeof expand.FileName === 'string' && expand.FileName !== '' ? expand.FileName : '';
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fileObject.id, type: 'NormalizeNameComponentReturned', instance: provider.id, status: result, expanded });
    let name = component;
    if (NT_SUCCESS(result)) name = expanded === '' ? component : expanded;
    else if (!(last && (result === STATUS_NO_SUCH_FILE || result === STATUS_OBJECT_NAME_NOT_FOUND))) {
      status = result;
      break;
    }
    const stream = streamParts.filter((p) => p !== '' && p.toUpperCase() !== '$DATA');
    out.push(stream.length === 0 ? name : `${name}:${stream.join(':')}`);
    parent = `${parent === volumeName ? volumeName : parent}\\${name}`;
  }
  const cleanup = registration.NormalizeContextCleanupCallback;
  if (cleanup !== undefined && context.value !== null) {
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fileObject.id, type: 'NormalizeContextCleanup', instance: provider.id });
    yield* fltMgr.invoke(provider.filter, () => cleanup(context));
  }
  if (!NT_SUCCESS(status)) return { status, name: '', cache: false };
  return { status, name: `${volumeName}\\${out.join('\\')}`, cache: false };
}
