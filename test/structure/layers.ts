/**
 * The layers of src/, lowest first. A file belongs to the layer holding the longest prefix of its
 * path (relative to src/), so a file named on its own overrides its folder; a file may import values
 * only from its own layer or a lower one.
 * docs/architecture.md explains each layer.
 */
export interface Layer {
  readonly name: string;
  readonly holds: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  { name: 'kernel', holds: ['wdk/', 'kernel/', 'version.ts'] },
  // The run-time library's data structures a driver keeps in its own memory (generic tables): no kernel object, no fact.
  { name: 'run-time library', holds: ['rtl/'] },
  // Stream factories depend on nothing above them: the types they need live beside them.
  { name: 'machines and streams', holds: ['machines/', 'streams/'] },
  // KEVENT, the locks, IRQL and APC regions (§18): kernel objects a filter uses, checked by every routine above.
  { name: 'synchronization objects', holds: ['sync/'] },
  { name: 'file system', holds: ['fs/'] },
  // The data of the kernel objects the walk moves through, and the helpers every routine uses to
  // report a failure: below the walk, which reads and updates them.
  {
    name: 'kernel objects',
    holds: [
      'fltmgr/filterManager.ts',
      'fltmgr/filterObject.ts',
      'fltmgr/instanceObject.ts',
      'fltmgr/volumeObject.ts',
      'fltmgr/driverObject.ts',
      'fltmgr/registration.ts',
      'fltmgr/rundown.ts',
      'fltmgr/semantics.ts',
      'fltmgr/routineSupport.ts',
      'fltmgr/gates.ts',
      // What holds a gate, read off the objects above for the gate's wait reason and the deadlock report.
      'fltmgr/rundownHolders.ts',
      // The files a filter opened and has not closed (leak report at unload): data on the filter object.
      'fltmgr/filterFiles.ts',
      // The name records and the name cache: data the walk updates (close, rename), not routines.
      'fltmgr/names/nameState.ts',
      'fltmgr/names/fileNameRecord.ts',
      // Server ports, connections and messages (§17): FltMgr's registry of them hangs off filterManager.ts.
      'fltmgr/portObjects.ts',
      'io/fileObject.ts',
      // Requests held for the host to complete: a table of pended requests that FltMgr owns.
      'io/heldRequests.ts',
      // Contexts, ECPs and processes: objects and the tables that own them (their routines sit above).
      'fltmgr/contextObject.ts',
      'fltmgr/contextTable.ts',
      'fltmgr/ecpObjects.ts',
      // Pool blocks and MDLs (§20): the walk swaps, maps and frees them.
      'fltmgr/memoryObjects.ts',
      // Work items (§12.1): the objects and their table (FltAllocate*WorkItem and the rest sit above).
      'fltmgr/workItemObjects.ts',
      // Sections backed by files (§24): objects, handles, views and their table.
      'fltmgr/sectionObjects.ts',
      'fltmgr/transactionObjects.ts',
      'io/processes.ts',
      // A driver's own device objects (§23.6) and their table: the driver and FltMgr objects own them.
      'io/deviceObjects.ts',
    ],
  },
  { name: 'I/O walk', holds: ['io/'] },
  { name: 'Filter Manager routines', holds: ['fltmgr/'] },
  // Both issue I/O into the stack: minifilters through the Flt routines, applications through the
  // I/O manager (NtCreateFile, NtReadFile, …), which attaches lazily before a volume's first
  // operation (§13 A7) and so sits above the Filter Manager routines.
  // 'io/ioManager' holds ioManager.ts and its parts (ioManagerNative.ts, ioManagerRequests.ts, …).
  { name: 'issued I/O and the I/O manager', holds: ['issuedIo/', 'io/ioManager'] },
  // One simulation owns everything; the stepping and snapshot machinery it offers hosts is its own.
  { name: 'simulation', holds: ['simulation.ts', 'simulationBase.ts', 'simulationTypes.ts', 'simulationOptions.ts', 'simulationArguments.ts', 'projection/', 'host/driver.ts', 'host/snapshot.ts', 'host/snapshotFormat.ts', 'host/types.ts', 'host/actions.ts'] },
  { name: 'checkers, exploration, time travel, traces', holds: ['checkers/', 'explore/', 'travel/', 'trace/', 'tracefile/'] },
  // Time travel's recordings rebuild runs of registered scenarios, so they sit with the scenarios.
  { name: 'scenarios and host', holds: ['scenarios/', 'host/', 'travel/recording.ts', 'travel/index.ts'] },
  // The time-travel viewer's model (no DOM: the page in viewer/ renders it; the CLI embeds traces in it).
  { name: 'viewer', holds: ['viewer/'] },
  { name: 'entries and command line', holds: ['index.ts', 'node.ts', 'testing/', 'cli/'] },
];

export function layerOf(path: string): { readonly name: string; readonly rank: number } {
  let rank = -1;
  let longest = 0;
  LAYERS.forEach((layer, i) => {
    for (const prefix of layer.holds) {
      if (path.startsWith(prefix) && prefix.length > longest) [rank, longest] = [i, prefix.length];
    }
  });
  if (rank < 0) throw new Error(`src/${path} is in no layer: add it to test/structure/layers.ts`);
  return { name: LAYERS[rank]!.name, rank };
}
