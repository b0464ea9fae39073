/** Triggers for the context rules (§15.1, §15.4–§15.6, §15.9, §19.9). */
import {
  FLT_INSTANCE_CONTEXT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FltAllocateContext,
  FltGetStreamContext,
  FltReferenceContext,
  FltReleaseContext,
  FltSetInstanceContext,
  IRP_MJ_READ,
  PagedPool,
  STATUS_SUCCESS,
  type FLT_CONTEXT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type VerifierRule,
  type Blocking,
} from '../../src/index.js';
import { operations } from '../../src/testing/index.js';
import { readOnce, world, type Trigger } from './world.js';

const contexts: readonly FLT_CONTEXT_REGISTRATION[] = [
  { ContextType: FLT_INSTANCE_CONTEXT, Size: 8, PoolTag: 1 },
  { ContextType: FLT_STREAM_CONTEXT, Size: 8, PoolTag: 1 },
];

/** A filter whose InstanceSetup does `mistake` (PASSIVE_LEVEL, its instance at hand). */
function inSetup(mistake: (o: FLT_RELATED_OBJECTS) => Blocking<void>) {
  const { sim } = world({
    'careless@300000': () => ({
      ContextRegistration: contexts,
      InstanceSetupCallback: function* (o) {
        yield* mistake(o);
        return STATUS_SUCCESS;
      },
    }),
  });
  return sim;
}

const instanceContext = (o: FLT_RELATED_OBJECTS) => FltAllocateContext(o.Filter, FLT_INSTANCE_CONTEXT, 8, PagedPool).context!;

export const contextTriggers = {
  CONTEXT_DOUBLE_RELEASE: () =>
    inSetup(function* (o) {
      const c = instanceContext(o);
      FltReleaseContext(c);
      FltReleaseContext(c);
    }),
  CONTEXT_USED_AFTER_FREE: () =>
    inSetup(function* (o) {
      const c = instanceContext(o);
      FltReleaseContext(c);
      FltReferenceContext(c);
    }),
  CONTEXT_WRONG_TYPE: () =>
    inSetup(function* (o) {
      const stream = FltAllocateContext(o.Filter, FLT_STREAM_CONTEXT, 8, PagedPool).context!;
      yield* FltSetInstanceContext(o.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, stream);
      FltReleaseContext(stream);
    }),
  CONTEXT_OF_ANOTHER_FILTER: () => {
    const w = world({
      'owner@300000': () => ({ ContextRegistration: contexts }),
      'borrower@200000': (v) => ({
        InstanceSetupCallback: function* (o) {
          const theirs = instanceContext(v.objects('owner'));
          yield* FltSetInstanceContext(o.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, theirs);
          return STATUS_SUCCESS;
        },
      }),
    });
    return w.sim;
  },
  CONTEXT_ROUTINE_AT_DISPATCH: () => {
    // A post-read not made safe runs at DISPATCH_LEVEL: it may release contexts, not get them.
    const { sim } = world({
      'careless@300000': () => ({
        ContextRegistration: contexts,
        OperationRegistration: operations([IRP_MJ_READ], {
          PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
          PostOperation: function* (_d, o) {
            yield* FltGetStreamContext(o.Instance, o.FileObject!);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      }),
    });
    sim.spawn('app', () => readOnce(sim));
    sim.run();
    return sim;
  },
  CONTEXT_LEAKED: () => {
    // The allocation reference is never released: the context outlives the filter's unload.
    const sim = inSetup(function* (o) {
      yield* FltSetInstanceContext(o.Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, instanceContext(o));
    });
    sim.spawn('fltmc unload', () => sim.FilterUnload('careless'));
    sim.run();
    return sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
