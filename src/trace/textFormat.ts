/**
 * The one-line-per-event text format (docs/trace-format.md): enough to read a failing run
 * without a debugger. Each line is
 *
 *     #<seq> t=<time> <object> <Type> <payload as key=value, statuses and flags by name>
 *
 * Object ids are followed by a name once known from the log itself (a fold of the creation facts),
 * so the format needs nothing but the facts.
 */
import { assertNever, type Fact } from '../kernel/facts.js';
import {
  FILTER_UNLOAD_FLAG_NAMES,
  flagNames,
  INSTANCE_SETUP_FLAG_NAMES,
  INSTANCE_TEARDOWN_FLAG_NAMES,
} from '../wdk/fltConstants.js';
import { ntStatusName } from '../wdk/ntstatus.js';

export class TraceNamer {
  private readonly names = new Map<string, string>();

  /** Learn names from creation facts; call for every fact in order. */
  learn(fact: Fact): void {
    switch (fact.type) {
      case 'ThreadCreate':
        this.names.set(fact.object, fact.name);
        break;
      case 'VolumeMount':
        this.names.set(fact.object, fact.dosName ?? fact.name);
        break;
      case 'FltRegisterFilter':
        this.names.set(fact.object, fact.name);
        break;
      case 'InstanceSetup':
        this.names.set(fact.object, `${this.names.get(fact.filter) ?? fact.filter}@${fact.altitude} on ${this.names.get(fact.volume) ?? fact.volume}`);
        break;
      case 'LegacyFilterAttach':
        this.names.set(fact.object, `${fact.name} on ${this.names.get(fact.volume) ?? fact.volume}`);
        break;
      default:
        break;
    }
  }

  label(id: string): string {
    const name = this.names.get(id);
    return name === undefined ? id : `${id}(${name})`;
  }

  short(id: string): string {
    const name = this.names.get(id);
    return name === undefined ? id : `${id}:${name}`;
  }
}

function payload(fact: Fact, namer: TraceNamer): string {
  switch (fact.type) {
    case 'SimulationStart':
      return `seed=${fact.seed} frames=${fact.frames.map((f) => `[${f.low},${f.high ?? '∞'})`).join('')} version=${fact.version}`;
    case 'ClockAdvance':
      return `to=${fact.to}`;
    case 'Choice':
      return `of=${fact.of}`;
    case 'VerifierViolation':
      return `rule=${fact.rule} ${fact.message}`;
    case 'ThreadCreate':
      return `name="${fact.name}"${fact.parent === null ? '' : ` parent=${fact.parent}`}`;
    case 'ThreadWait':
      return `on=${fact.on} (${fact.reason})`;
    case 'ThreadWake':
      return `by=${fact.by}`;
    case 'ThreadSleep':
      return `until=${fact.until}`;
    case 'ThreadExit':
      return [fact.result === null ? '' : `result=${ntStatusName(fact.result)}`, fact.error === null ? '' : `error=${fact.error}`].filter(Boolean).join(' ');
    case 'VolumeMount':
      return `name=${fact.name}${fact.dosName === null ? '' : ` dos=${fact.dosName}`} fs=${fact.fsType} sector=${fact.sectorSize}`;
    case 'VolumeMounted':
    case 'VolumeDismount':
    case 'VolumeDismounted':
    case 'FltStartFiltering':
    case 'FltUnregisterFilter':
    case 'FltUnregisterFilterReturned':
    case 'DriverUnload':
    case 'InstanceTeardownStartReturned':
    case 'InstanceTeardownCompleteReturned':
    case 'InstanceFreed':
      return '';
    case 'LegacyFilterAttach':
      return `name=${fact.name} volume=${namer.short(fact.volume)} aboveFrame=${fact.aboveFrame}`;
    case 'FltRegisterFilter':
      return `name=${fact.name} flags=0x${fact.flags.toString(16)}`;
    case 'FilterUnloadCallback':
      return `flags=${flagNames(fact.flags, FILTER_UNLOAD_FLAG_NAMES)}`;
    case 'FilterUnloadReturned':
    case 'InstanceSetupReturned':
    case 'InstanceQueryTeardownReturned':
      return `status=${ntStatusName(fact.status)}`;
    case 'InstanceSetup':
      return `filter=${namer.short(fact.filter)} volume=${namer.short(fact.volume)} name="${fact.name}" altitude=${fact.altitude} frame=${fact.frame} flags=${flagNames(fact.flags, INSTANCE_SETUP_FLAG_NAMES)}`;
    case 'InstanceQueryTeardown':
      return `flags=${fact.flags}`;
    case 'InstanceTeardownStart':
    case 'InstanceTeardownComplete':
      return `reason=${flagNames(fact.reason, INSTANCE_TEARDOWN_FLAG_NAMES)}`;
    case 'FltObjectReference':
    case 'FltObjectDereference':
      return `count=${fact.count}`;
    case 'RoutineFailed':
      return `routine=${fact.routine} status=${ntStatusName(fact.status)} (${fact.detail})`;
    default:
      return assertNever(fact, 'fact');
  }
}

/** Format one fact; `namer` must have learned every earlier fact. */
export function formatFact(fact: Fact, namer: TraceNamer): string {
  namer.learn(fact);
  const rest = payload(fact, namer);
  return `#${fact.seq} t=${fact.time} ${namer.label(fact.object)} ${fact.type}${rest === '' ? '' : ' ' + rest}`;
}

/** Format a whole log (or a slice that starts at seq 0). */
export function formatTrace(facts: readonly Fact[]): string[] {
  const namer = new TraceNamer();
  return facts.map((f) => formatFact(f, namer));
}
