/**
 * A random port workload (§17) for property tests: a scanner-shaped filter with random Timeout,
 * reply size and MaxConnections; applications writing files (each pre-write sends a message);
 * administrator clients that connect, get (synchronously or overlapped, with buffers that may be
 * too small), reply (right, late, twice, to unknown ids, with replies that may overflow), send to
 * MessageNotify, close and reconnect; a detach of one instance; and an unload racing all of it.
 * Everything is drawn from the seed, so a failing seed replays.
 */
import type { Blocking } from '../../kernel/effects.js';
import { sleep } from '../../kernel/effects.js';
import { Random } from '../../kernel/random.js';
import { CloseHandle, FilterGetMessage, FilterReplyMessage, FilterSendMessage } from '../../fltmgr/filterPortUser.js';
import type { FilterPortHandle, OVERLAPPED } from '../../fltmgr/portObjects.js';
import { WaitForSingleObject } from '../../fltmgr/win32Events.js';
import { ADMINISTRATORS_SID } from '../../kernel/sids.js';
import type { Simulation } from '../../simulation.js';
import { FILE_CREATE, FILE_GENERIC_WRITE, FILE_SYNCHRONOUS_IO_NONALERT } from '../../wdk/fileConstants.js';
import { STATUS_SUCCESS } from '../../wdk/ntstatus.js';
import { installPortFilter, type PortFilter } from './portFilter.js';

export interface RandomPortWorkloadOptions {
  readonly writers?: readonly [number, number];
  readonly clients?: readonly [number, number];
  readonly clientActions?: readonly [number, number];
}

export function randomPortWorkload(sim: Simulation, seed: number, options: RandomPortWorkloadOptions = {}): PortFilter {
  const r = Random.fromSeed(seed).split('ports');
  const between = ([lo, hi]: readonly [number, number]): number => lo + r.nextInt(hi - lo + 1);
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
  const timeouts = [null, 0, -10_000, -50_000, -200_000];
  const scanner = installPortFilter(sim, {
    timeout: timeouts[r.nextInt(timeouts.length)]!,
    replyLength: [null, 1, 4][r.nextInt(3)]!,
    maxConnections: 1 + r.nextInt(2),
    disconnectCloses: 'connection',
    messageNotify: (_cookie, input, inputLength, output, outputLength, returned) => {
      const n = Math.min(inputLength, outputLength);
      if (input !== null && output !== null) output.set(input.subarray(0, n));
      returned.value = n;
      return STATUS_SUCCESS;
    },
  });
  const writers = between(options.writers ?? [1, 3]);
  for (let w = 0; w < writers; w++) {
    const files = 1 + r.nextInt(3);
    const plan = Array.from({ length: files }, (_, i) => ({ delay: r.nextInt(20), path: `${r.nextInt(2) === 0 ? 'C:' : 'D:'}\\w${w}-${i}.txt` }));
    sim.spawn(`writer ${w}`, function* () {
      for (const { delay, path } of plan) {
        yield* sleep(delay);
        const c = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_WRITE, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
        if (c.handle === null) continue;
        yield* sim.io.NtWriteFile(c.handle, 'data');
        yield* sim.io.NtClose(c.handle);
      }
    });
  }
  const clients = between(options.clients ?? [1, 2]);
  for (let c = 0; c < clients; c++) {
    const actions = Array.from({ length: between(options.clientActions ?? [3, 10]) }, () => ({ kind: r.nextInt(8), n: r.nextInt(1000) }));
    sim.spawn(`client ${c}`, () => client(sim, actions), { token: ADMINISTRATORS_SID });
  }
  const detachAt = r.nextInt(2) === 0 ? null : r.nextInt(60);
  if (detachAt !== null) {
    sim.spawn('fltmc detach', function* () {
      yield* sleep(detachAt);
      return yield* sim.FilterDetach('scanner', 'D:');
    });
  }
  const unloadAt = r.nextInt(80);
  sim.spawn('fltmc unload', function* () {
    yield* sleep(unloadAt);
    return yield* sim.FilterUnload('scanner');
  });
  return scanner;
}

function* client(sim: Simulation, actions: readonly { readonly kind: number; readonly n: number }[]): Blocking<void> {
  let hPort: FilterPortHandle | null = null;
  let lastId = 0n;
  const event = sim.CreateEventW(null, true, false, null);
  for (const { kind, n } of actions) {
    if (hPort === null) {
      hPort = (yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0)).hPort;
      if (hPort === null) {
        yield* sleep(1 + (n % 10));
        continue;
      }
    }
    switch (kind) {
      case 0:
      case 1: {
        const size = n % 4 === 0 ? 16 : 64;
        const buffer = new Uint8Array(size);
        const hr = yield* FilterGetMessage(hPort, buffer, size, null);
        if (hr === 0) lastId = new DataView(buffer.buffer).getBigUint64(8, true);
        break;
      }
      case 2: {
        const buffer = new Uint8Array(64);
        const overlapped: OVERLAPPED = { hEvent: event, Internal: 0, InternalHigh: 0 };
        yield* FilterGetMessage(hPort, buffer, 64, overlapped);
        yield* WaitForSingleObject(event, n % 30);
        if (overlapped.Internal === 0 && overlapped.InternalHigh > 0) lastId = new DataView(buffer.buffer).getBigUint64(8, true);
        break;
      }
      case 3:
      case 4: {
        const payload = n % 6;
        const reply = new Uint8Array(16 + payload);
        new DataView(reply.buffer).setBigUint64(8, kind === 4 && n % 3 === 0 ? BigInt(n + 1000) : lastId, true);
        yield* FilterReplyMessage(hPort, reply, reply.length);
        break;
      }
      case 5: {
        const input = new Uint8Array([1, 2, 3]);
        yield* FilterSendMessage(hPort, input, 3, new Uint8Array(2), 2);
        break;
      }
      case 6:
        yield* CloseHandle(hPort);
        hPort = null;
        break;
      default:
        yield* sleep(n % 15);
    }
  }
  if (hPort !== null && n0(actions) % 2 === 0) yield* CloseHandle(hPort);
}

function n0(actions: readonly { readonly n: number }[]): number {
  return actions[0]?.n ?? 0;
}
