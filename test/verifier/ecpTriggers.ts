/** Triggers for the ECP rules (§22.2). */
import {
  FltAllocateExtraCreateParameter,
  FltAllocateExtraCreateParameterList,
  FltFreeExtraCreateParameter,
  FltFreeExtraCreateParameterList,
  FltInsertExtraCreateParameter,
  STATUS_SUCCESS,
  type FLT_RELATED_OBJECTS,
  type VerifierRule,
} from '../../src/index.js';
import { world, type Trigger } from './world.js';

function inSetup(mistake: (o: FLT_RELATED_OBJECTS) => void) {
  return world({ 'careless@300000': () => ({ InstanceSetupCallback: (o) => (mistake(o), STATUS_SUCCESS) }) }).sim;
}

export const ecpTriggers = {
  ECP_USED_AFTER_FREE: () =>
    inSetup((o) => {
      const { EcpList } = FltAllocateExtraCreateParameterList(o.Filter);
      FltFreeExtraCreateParameterList(o.Filter, EcpList);
      const { EcpContext } = FltAllocateExtraCreateParameter(o.Filter, '89b2e8b5-0c1d-4f1e-9b5a-5e6f7a8b9c0d', 16);
      FltInsertExtraCreateParameter(o.Filter, EcpList, EcpContext!);
    }),
  ECP_FREED_IN_LIST: () =>
    inSetup((o) => {
      const { EcpList } = FltAllocateExtraCreateParameterList(o.Filter);
      const { EcpContext } = FltAllocateExtraCreateParameter(o.Filter, '89b2e8b5-0c1d-4f1e-9b5a-5e6f7a8b9c0d', 16);
      FltInsertExtraCreateParameter(o.Filter, EcpList, EcpContext!);
      FltFreeExtraCreateParameter(o.Filter, EcpContext!);
    }),
} satisfies Partial<Record<VerifierRule, Trigger>>;
