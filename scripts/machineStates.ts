/**
 * docs/machines.md, rendered from the machine definitions themselves (src/machines/): each machine's
 * states, the events that move it and the events it takes without moving. An event a state does not
 * list is refused — for a fact that is an internal error, for a filter's call the verifier names it.
 */
import type { AnyStateMachine } from 'xstate';
import { callbackDataMachine } from '../src/machines/callbackData.js';
import { fileNameInformationMachine } from '../src/machines/fileNameInformation.js';
import { clientPortMachine } from '../src/machines/clientPort.js';
import { communicationPortMachine } from '../src/machines/communicationPort.js';
import { filterMessageMachine } from '../src/machines/filterMessage.js';
import { fileObjectMachine } from '../src/machines/fileObject.js';
import { filterMachine } from '../src/machines/filter.js';
import { instanceMachine } from '../src/machines/instance.js';
import { volumeMachine } from '../src/machines/volume.js';
import { keventMachine } from '../src/machines/kevent.js';
import { eresourceMachine } from '../src/machines/eresource.js';
import { fastMutexMachine } from '../src/machines/fastMutex.js';
import { guardedMutexMachine } from '../src/machines/guardedMutex.js';
import { pushLockMachine } from '../src/machines/pushLock.js';
import { spinLockMachine } from '../src/machines/spinLock.js';
import { contextMachine } from '../src/machines/context.js';
import { processMachine } from '../src/machines/process.js';
import { ecpListMachine, ecpMachine } from '../src/machines/ecp.js';
import { irpMachine } from '../src/machines/irp.js';
import { cbdqMachine } from '../src/machines/cbdq.js';
import { poolBlockMachine } from '../src/machines/poolBlock.js';
import { mdlMachine } from '../src/machines/mdl.js';
import { byteRangeLockMachine } from '../src/machines/byteRangeLock.js';
import { notifyChangeMachine } from '../src/machines/notifyChange.js';
import { oplockMachine } from '../src/machines/oplock.js';
import { deviceObjectMachine } from '../src/machines/deviceObject.js';
import { sectionMachine } from '../src/machines/section.js';
import { transactionMachine } from '../src/machines/transaction.js';
import { workItemMachine } from '../src/machines/workItem.js';

/** Every machine in src/machines, by the name it is exported under (test/docs/generatedDocs.test.ts checks the list is complete). */
export const MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  filterMachine,
  instanceMachine,
  volumeMachine,
  fileObjectMachine,
  callbackDataMachine,
  keventMachine,
  eresourceMachine,
  fastMutexMachine,
  guardedMutexMachine,
  pushLockMachine,
  spinLockMachine,
  contextMachine,
  processMachine,
  ecpListMachine,
  ecpMachine,
  fileNameInformationMachine,
  communicationPortMachine,
  clientPortMachine,
  filterMessageMachine,
  irpMachine,
  cbdqMachine,
  poolBlockMachine,
  mdlMachine,
  byteRangeLockMachine,
  notifyChangeMachine,
  oplockMachine,
  deviceObjectMachine,
  sectionMachine,
  transactionMachine,
  workItemMachine,
};

interface StateNodeLike {
  readonly key: string;
  readonly type: string;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly { readonly target?: readonly { readonly path: readonly string[] }[] | undefined; readonly guard?: unknown }[]>;
}

function guardName(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return ` if ${guard}`;
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? ` if ${type}` : ' if (guard)';
}

function rows(node: StateNodeLike, path: string): string[] {
  const out: string[] = [];
  for (const child of Object.values(node.states)) {
    const name = path === '' ? child.key : `${path}.${child.key}`;
    const moves: string[] = [];
    const stays: string[] = [];
    for (const [event, candidates] of child.transitions) {
      if (event === '*') continue;
      const targets = candidates.filter((c) => c.target !== undefined && c.target.length > 0);
      if (targets.length === 0) stays.push(event);
      else moves.push(candidates.map((c) => `${event} → ${c.target === undefined || c.target.length === 0 ? '(stays)' : c.target.map((t) => t.path.join('.')).join(', ')}${guardName(c.guard)}`).join('; '));
    }
    const kind = child.type === 'final' ? ' (final)' : child.type === 'parallel' ? ' (parallel)' : '';
    out.push(`| ${name}${kind} | ${moves.join('<br>') || '—'} | ${stays.join(', ') || '—'} |`);
    out.push(...rows(child, name));
  }
  return out;
}

export function renderMachinesDoc(): string {
  const sections = Object.entries(MACHINES).map(([exportName, machine]) => {
    const root = machine.root as unknown as StateNodeLike & { readonly initial?: { readonly target?: readonly { readonly path: readonly string[] }[] } };
    const initial = root.initial?.target?.map((t) => t.path.join('.')).join(', ') ?? '—';
    return `## ${machine.id} (\`${exportName}\`)

Initial state: ${initial}.

| state | moves on | takes without moving |
|---|---|---|
${rows(root, '').join('\n')}
`;
  });
  return `<!-- Generated from src/machines/ by \`npm run docs\`; edit the machines, not this file. -->
# The machines

Every kernel object with a lifecycle is an XState machine in src/machines/ (docs/architecture.md
says why). The log's facts are their events: the kernel sends each fact to its object's actor, and a
fact the current state does not list is refused. This page is rendered from the machine definitions,
so it cannot drift from them.

${sections.join('\n')}`;
}
