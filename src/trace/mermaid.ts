/**
 * A Mermaid sequence diagram of the I/O in a log: participants are the threads that issue I/O,
 * the instances, and each volume's file system; each operation is followed hop by hop (pre-ops
 * down the stack, the file system, post-ops back up, completion to the issuer). Pending, lifecycle
 * and verifier facts become notes. Paste into any Mermaid renderer (GitHub renders ```mermaid).
 */
import { factsArgument, optionalShapeArgument } from '../kernel/dataArguments.js';
import type { Fact } from '../kernel/facts.js';
import { irpMajorName } from '../wdk/irp.js';
import { ntStatusName } from '../wdk/ntstatus.js';
import { FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_PREOP_PENDING } from '../wdk/fltConstants.js';
import { TraceNamer } from './traceNamer.js';
import { mermaidText } from './escape.js';

export function toMermaid(facts: readonly Fact[], options: { readonly from?: number; readonly to?: number } = {}): string {
  factsArgument('toMermaid', 'facts', facts);
  optionalShapeArgument('toMermaid', 'options', options, { from: 'integer?', to: 'integer?' }, '{ from?, to? }');
  options ??= {};
  const namer = new TraceNamer();
  const from = options.from ?? 0;
  const to = options.to ?? facts.length;
  const participants: string[] = [];
  const declared = new Set<string>();
  const body: string[] = [];
  // Participant ids go into the diagram bare: one that is not a plain identifier (a damaged or
  // hostile trace) gets a stand-in, and its label still shows what it was.
  const safeIds = new Map<string, string>();
  const who = (raw: string): string => {
    let id = safeIds.get(raw);
    if (id === undefined) {
      id = /^[A-Za-z0-9_]+$/.test(raw) ? raw : `X${safeIds.size}`;
      safeIds.set(raw, id);
    }
    if (!declared.has(id)) {
      declared.add(id);
      const label = raw.startsWith('FS_') ? `file system of ${namer.label(raw.slice(3))}` : namer.label(raw);
      participants.push(`  participant ${id} as ${mermaidText(label)}`);
    }
    return id;
  };
  const where = new Map<string, string>(); // operation → where it is now
  const issuer = new Map<string, string>();
  const what = new Map<string, string>();
  const volumeOf = new Map<string, string>();
  const arrow = (op: string, target: string, text: string, dashed = false): void => {
    const at = where.get(op) ?? target;
    body.push(`  ${who(at)}${dashed ? '-->>' : '->>'}${who(target)}: ${op} ${mermaidText(text)}`);
    where.set(op, target);
  };
  for (const fact of facts) {
    namer.learn(fact);
    if (fact.seq < from || fact.seq >= to) continue;
    const id = fact.object;
    switch (fact.type) {
      case 'IoStart': {
        const origin = fact.initiator ?? fact.thread ?? 'sim';
        issuer.set(id, origin);
        where.set(id, origin);
        what.set(id, irpMajorName(fact.major).replace('IRP_MJ_', ''));
        volumeOf.set(id, fact.volume);
        body.push(`  Note over ${who(origin)}: ${id} ${mermaidText(`${what.get(id)} ${fact.fileObject === null ? namer.label(fact.volume) : namer.label(fact.fileObject)}`)}${fact.initiator === null ? '' : ' (generated)'}`);
        break;
      }
      case 'PreOperation':
        arrow(id, fact.instance, `pre ${what.get(id) ?? ''}`);
        break;
      case 'PreOperationReturned':
        if (fact.result === FLT_PREOP_PENDING) body.push(`  Note over ${who(fact.instance)}: ${id} pended`);
        break;
      case 'FsDispatch':
        arrow(id, `FS_${volumeOf.get(id) ?? 'V0'}`, what.get(id) ?? '');
        break;
      case 'PostOperation':
        arrow(id, fact.instance, 'post', true);
        break;
      case 'PostOperationReturned':
        if (fact.result === FLT_POSTOP_MORE_PROCESSING_REQUIRED) body.push(`  Note over ${who(fact.instance)}: ${id} post pended`);
        break;
      case 'IoComplete':
        arrow(id, issuer.get(id) ?? 'sim', `complete ${ntStatusName(fact.status)}`, true);
        where.delete(id);
        break;
      case 'InstanceSetupReturned':
      case 'InstanceTeardownComplete':
      case 'VerifierViolation':
        body.push(`  Note over ${who(id)}: ${fact.type}${'status' in fact ? ` ${ntStatusName(fact.status)}` : ''}${'rule' in fact ? ` ${mermaidText(fact.rule)}` : ''}`);
        break;
      default:
        break;
    }
  }
  return ['sequenceDiagram', ...participants, ...body].join('\n') + '\n';
}
