/** Triggers for the rules of registration, unload, references and work items (§2, §12, §13 A12). */
import {
  FltAllocateCallbackData,
  FltAllocateGenericWorkItem,
  FltFreeGenericWorkItem,
  FltObjectDereference,
  FltQueueGenericWorkItem,
  FltRegisterFilter,
  FltStartFiltering,
  FltUnregisterFilter,
  STATUS_ACCESS_DENIED,
  STATUS_FLT_DO_NOT_DETACH,
  STATUS_SUCCESS,
  type Blocking,
  type NTSTATUS,
  type PFLT_FILTER,
  type VerifierRule,
} from '../../src/index.js';
import { world, type Trigger } from './world.js';

/** Load a filter whose FilterUnloadCallback is `unload`, then unload it with FilterUnload (fltmc unload). */
function unloadWith(unload: (filter: PFLT_FILTER) => Blocking<NTSTATUS>) {
  const { sim } = world({ 'careless@300000': (w) => ({ FilterUnloadCallback: () => unload(w.sim.filter('careless')!) }) });
  sim.spawn('fltmc unload', () => sim.FilterUnload('careless'));
  sim.run();
  return sim;
}

/** The service key of a driver loaded by hand (installFilter writes one for the others). */
const registry = { DefaultInstance: 'Default', Instances: { Default: { Altitude: '300000' } } };

export const registrationTriggers = {
  FLT_REGISTER_TWICE: () => {
    const { sim } = world({});
    sim.loadDriver({ name: 'twice', instances: registry }, function* (driver) {
      const first = FltRegisterFilter(driver, {});
      FltRegisterFilter(driver, {});
      return yield* FltStartFiltering(first.filter!);
    });
    sim.run();
    return sim;
  },
  FLT_UNREGISTER_TWICE: () =>
    unloadWith(function* (filter) {
      yield* FltUnregisterFilter(filter);
      yield* FltUnregisterFilter(filter);
      return STATUS_SUCCESS;
    }),
  UNLOAD_WITHOUT_UNREGISTER: () =>
    unloadWith(function* () {
      return STATUS_SUCCESS;
    }),
  UNLOAD_VETO_AFTER_UNREGISTER: () =>
    unloadWith(function* (filter) {
      yield* FltUnregisterFilter(filter);
      return STATUS_FLT_DO_NOT_DETACH;
    }),
  FLT_UNLOAD_SELF: () => {
    const { sim } = world({ 'selfish@300000': (w) => ({ InstanceSetupCallback: () => w.sim.FltUnloadFilter('selfish') }) });
    return sim;
  },
  DRIVER_ENTRY_FAILED_REGISTERED: () => {
    const { sim } = world({});
    sim.loadDriver({ name: 'halfway', instances: registry }, function* (driver) {
      FltRegisterFilter(driver, {});
      return STATUS_ACCESS_DENIED;
    });
    sim.run();
    return sim;
  },
  CALLBACK_DATA_LEAKED: () => {
    const { sim } = world({
      'leaky@300000': () => ({ InstanceSetupCallback: (o) => (FltAllocateCallbackData(o.Instance, null), STATUS_SUCCESS) }),
    });
    sim.spawn('fltmc unload', () => sim.FilterUnload('leaky'));
    sim.run();
    return sim;
  },
  FLT_DEREFERENCE_UNDERFLOW: () => {
    const { sim } = world({ 'sloppy@300000': () => ({ InstanceSetupCallback: (o) => (FltObjectDereference(o.Instance), STATUS_SUCCESS) }) });
    return sim;
  },
  WORK_ITEM_QUEUED_TWICE: () => {
    const w = world({ 'eager@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      const routine = () => undefined;
      FltQueueGenericWorkItem(item, w.objects('eager').Instance, routine, 'DelayedWorkQueue', null);
      FltQueueGenericWorkItem(item, w.objects('eager').Instance, routine, 'DelayedWorkQueue', null);
    });
    w.sim.run();
    return w.sim;
  },
  WORK_ITEM_FREED_WHILE_QUEUED: () => {
    const w = world({ 'hasty@300000': () => ({}) });
    w.sim.spawn('filter thread', function* () {
      const item = yield* FltAllocateGenericWorkItem();
      FltQueueGenericWorkItem(item, w.objects('hasty').Instance, () => undefined, 'DelayedWorkQueue', null);
      FltFreeGenericWorkItem(item);
    });
    w.sim.run();
    return w.sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
