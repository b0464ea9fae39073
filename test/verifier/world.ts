/** A small world for the verifier-rule triggers: C: with \f.txt, filters installed and started. */
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FltClose,
  FltCreateFileEx,
  ObDereferenceObject,
  type Blocking,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type KernelHandle,
  type PFILE_OBJECT,
  type Simulation,
  type SimulationOptions,
} from '../../src/index.js';
import { installFilter } from '../../src/testing/index.js';

/** A trigger builds a system, makes the filter commit one mistake, and returns the simulation. */
export type Trigger = () => Simulation;

export interface World {
  readonly sim: Simulation;
  /** The related objects of each filter's instance on C:, by filter name (captured at InstanceSetup). */
  readonly objects: (name: string) => FLT_RELATED_OBJECTS;
}

/** `filters`: "name@altitude" → registration (given the simulation and the world, for callbacks that need them). */
export function world(filters: Record<string, (w: World) => FLT_REGISTRATION>, options: SimulationOptions = {}): World {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', '0123456789');
  const related = new Map<string, FLT_RELATED_OBJECTS>();
  const w: World = {
    sim,
    objects: (name) => {
      const o = related.get(name);
      if (o === undefined) throw new Error(`no instance of ${name} on C:`);
      return o;
    },
  };
  for (const [key, make] of Object.entries(filters)) {
    const [name, altitude] = key.split('@') as [string, string];
    const registration = make(w);
    const setup = registration.InstanceSetupCallback;
    installFilter(sim, {
      name,
      altitude,
      registration: {
        ...registration,
        InstanceSetupCallback: (o, flags, type, fs) => {
          related.set(name, o);
          return setup === undefined ? 0 : setup(o, flags, type, fs);
        },
      },
    });
  }
  sim.run();
  return w;
}

/** An application opens \f.txt, reads 4 bytes, and closes it. */
export function* readOnce(sim: Simulation): Blocking<number> {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  if (open.handle === null) return open.status;
  const read = yield* sim.io.NtReadFile(open.handle, 4, 0);
  yield* sim.io.NtClose(open.handle);
  return read.status;
}

/** Open C:\f.txt from a filter's instance (FltCreateFileEx): the handle and the referenced file object. */
export function* openFromFilter(o: FLT_RELATED_OBJECTS): Blocking<{ handle: KernelHandle; fo: PFILE_OBJECT }> {
  const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
  return { handle: r.FileHandle!, fo: r.FileObject! };
}

/** Close what openFromFilter opened. */
export function* closeFromFilter(file: { handle: KernelHandle; fo: PFILE_OBJECT }): Blocking<void> {
  yield* FltClose(file.handle);
  yield* ObDereferenceObject(file.fo);
}
