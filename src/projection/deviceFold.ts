/**
 * The fold of a driver's own device objects (§23.6) and the IRPs sent to them, rebuilt from the log
 * alone. File objects opened on a device fold as every file object does (src/projection/fold.ts);
 * their `volume` is the device's id.
 */
import type { Draft } from 'immer';
import type { Fact, FactOf } from '../kernel/facts.js';
import { deviceObjectMachine } from '../machines/deviceObject.js';
import { irpMachine } from '../machines/irp.js';
import type { Advance, Born } from './fold.js';
import type { SimState } from './simState.js';

export type DeviceFact = FactOf<'IoCreateDevice'> | FactOf<'IoDeleteDevice'> | FactOf<'DeviceReferenced'> | FactOf<'DeviceDereferenced'> | FactOf<'IoCallDriver'> | FactOf<'FastIoCall'>;

const DEVICE_FACTS = new Set<string>(['IoCreateDevice', 'IoDeleteDevice', 'DeviceReferenced', 'DeviceDereferenced', 'IoCallDriver', 'FastIoCall']);

export function isDeviceFact(fact: Fact): fact is DeviceFact {
  return DEVICE_FACTS.has(fact.type);
}

export function applyDeviceFact(d: Draft<SimState>, fact: DeviceFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'IoCreateDevice':
      d.devices[id] = { driver: fact.driver, name: fact.name, deviceType: fact.deviceType, characteristics: fact.characteristics, state: born(id, deviceObjectMachine) as never, references: 0 };
      return;
    case 'IoDeleteDevice':
    case 'DeviceReferenced':
    case 'DeviceDereferenced': {
      const state = advance(fact) as never;
      if (state === 'Deleted') {
        delete d.devices[id];
        return;
      }
      const device = d.devices[id]!;
      device.state = state;
      if (fact.type !== 'IoDeleteDevice') device.references = fact.count;
      return;
    }
    case 'FastIoCall':
      advance(fact);
      return;
    case 'IoCallDriver':
      born(id, irpMachine);
      d.irps[id] = { operation: null, state: 'NotCancelable', routine: null, device: fact.device, major: fact.major };
      return;
  }
}
