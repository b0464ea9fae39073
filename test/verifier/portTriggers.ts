/** Triggers for the communication-port rules (§17): each filter commits one mistake with its port. */
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  FLT_PORT_ALL_ACCESS,
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltFreeSecurityDescriptor,
  FltRegisterFilter,
  FltSendMessage,
  OBJ_KERNEL_HANDLE,
  portVariable,
  STATUS_SUCCESS,
  type VerifierRule,
} from '../../src/index.js';
import { installPortFilter, type PortFilterSpec } from '../../src/testing/index.js';
import type { Trigger } from './world.js';

function scanner(spec: PortFilterSpec = {}) {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const filter = installPortFilter(sim, spec);
  sim.run();
  return { sim, filter };
}

const registry = { DefaultInstance: 'Default', Instances: { Default: { Altitude: '300000' } } };

export const portTriggers = {
  SERVER_PORT_OPEN_AT_UNLOAD: () => {
    const { sim } = scanner({ closeServerPortOnUnload: false });
    sim.spawn('fltmc unload', () => sim.FilterUnload('scanner'));
    sim.run();
    return sim;
  },
  SERVER_PORT_CLOSED_TWICE: () => {
    const { sim, filter } = scanner();
    sim.spawn('careless', function* () {
      FltCloseCommunicationPort(filter.serverPort());
      FltCloseCommunicationPort(filter.serverPort());
    });
    sim.run();
    return sim;
  },
  CLIENT_PORT_CLOSE_INVALID: () => {
    const { sim, filter } = scanner();
    sim.spawn(
      'scanUser',
      function* () {
        const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
        // A copy of the pointer, taken while connected; DisconnectNotify closes the port through the variable.
        const stale = portVariable(filter.clientPort.value);
        yield* CloseHandle(c.hPort!);
        FltCloseClientPort(filter.filter(), stale);
      },
      { token: ADMINISTRATORS_SID },
    );
    sim.run();
    return sim;
  },
  CLIENT_PORT_LEAKED: () => {
    const { sim } = scanner({ closeClientPortOnDisconnect: false });
    sim.spawn(
      'scanUser',
      function* () {
        yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      },
      { token: ADMINISTRATORS_SID },
    );
    sim.run();
    sim.spawn('fltmc unload', () => sim.FilterUnload('scanner'));
    sim.run();
    return sim;
  },
  PORT_BUFFER_TOO_SHORT: () => {
    const { sim, filter } = scanner();
    sim.spawn('overreach', function* () {
      return yield* FltSendMessage(filter.filter(), filter.clientPort, new Uint8Array(4), 8, null, null, null);
    });
    sim.run();
    return sim;
  },
  PORT_SECURITY_DESCRIPTOR_FREED: () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.loadDriver({ name: 'freer', instances: registry }, function* (driver) {
      const r = FltRegisterFilter(driver, {});
      const sd = (yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS)).SecurityDescriptor!;
      yield* FltFreeSecurityDescriptor(sd);
      return FltCreateCommunicationPort(r.filter!, { ObjectName: '\\FreedPort', Attributes: OBJ_KERNEL_HANDLE, SecurityDescriptor: sd }, null, () => STATUS_SUCCESS, () => undefined, null, 1).status;
    });
    sim.run();
    return sim;
  },
} satisfies Partial<Record<VerifierRule, Trigger>>;
