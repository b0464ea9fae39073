/**
 * Names for object ids, learned from the log's own creation facts (a thread's name, a volume's drive
 * letter, an operation's major function and file), so every export (text, Mermaid, Perfetto, the
 * viewer) labels objects the same way without anything but the facts.
 */
import type { Fact } from '../kernel/facts.js';
import { contextTypeName } from '../wdk/contextConstants.js';
import { irpMajorName, IRP_MJ_CREATE } from '../wdk/irp.js';
import { CREATE_RESULT_NAMES } from '../wdk/createConstants.js';
import { STATUS_REPARSE } from '../wdk/ntstatus.js';

export class TraceNamer {
  private readonly names = new Map<string, string>();
  /**
   * Per operation, what each parameter fingerprint it showed means: the view as issued, or the
   * view after an instance's FltSetCallbackDataDirty (§7). A level's PreOperation, FsDispatch or
   * PostOperation then reads `params=as-issued` or `params=as-edited-by-I3` instead of a hash (one
   * word, so the line still splits on spaces).
   */
  private readonly views = new Map<string, { readonly labels: Map<string, string>; next: string | null }>();
  /** Each operation's major function, so a create's completion can name its result. */
  private readonly majors = new Map<string, number>();

  /**
   * IoStatus.Information as Process Monitor shows it: a successful create's is its open result
   * (FILE_OPENED, FILE_CREATED, ...); every other operation's is a byte count or a value, printed as
   * the number.
   */
  information(operation: string, status: number, information: number): string {
    // STATUS_REPARSE's Information is the reparse tag, not an open result.
    const success = (status >>> 0) < 0x80000000 && status !== STATUS_REPARSE;
    if (success && this.majors.get(operation) === IRP_MJ_CREATE) return CREATE_RESULT_NAMES[information] ?? String(information);
    return String(information);
  }

  /** Learn names from creation facts; call for every fact in order. */
  learn(fact: Fact): void {
    switch (fact.type) {
      case 'ThreadCreate':
      case 'ProcessCreate':
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
      case 'FileObjectCreate':
        // A file object on a driver's own device (d…, §23.6) is named by the device's name and the rest of the path.
        if (fact.volume.startsWith('d')) this.names.set(fact.object, `${this.names.get(fact.volume) ?? fact.volume}${fact.fileName}`);
        else this.names.set(fact.object, fact.fileName === '' ? `${this.names.get(fact.volume) ?? fact.volume}<volume>` : fact.fileName);
        break;
      case 'IoCreateDevice':
        if (fact.name !== null) this.names.set(fact.object, fact.name);
        break;
      case 'IoCallDriver':
        this.names.set(fact.object, `${irpMajorName(fact.major).replace('IRP_MJ_', '')} ${this.names.get(fact.fileObject) ?? fact.fileObject}`);
        break;
      case 'KeInitializeEvent':
        this.names.set(fact.object, `${fact.name} (${fact.eventType})`);
        break;
      case 'LockInitialize':
        this.names.set(fact.object, `${fact.name} (${fact.lockType})`);
        break;
      case 'FltAllocateCallbackData':
        this.names.set(fact.object, `allocated by ${this.names.get(fact.instance) ?? fact.instance}`);
        break;
      case 'FltAllocateContext':
        this.names.set(fact.object, `${contextTypeName(fact.contextType).replace(/^FLT_|_CONTEXT$/g, '')} of ${this.names.get(fact.filter) ?? fact.filter}`);
        break;
      case 'IoStart': {
        this.majors.set(fact.object, fact.major);
        // A volume-level request (PnP, shutdown) carries no file object: it is named after its volume.
        const target = fact.fileObject ?? fact.volume;
        this.names.set(fact.object, `${irpMajorName(fact.major).replace('IRP_MJ_', '')} ${this.names.get(target) ?? target}`);
        // A reissue starts again from the data's current parameters: those are "as issued" now.
        this.views.set(fact.object, { labels: new Map(), next: 'as-issued' });
        break;
      }
      case 'PreOperationReturned':
        if (fact.dirty) {
          const view = this.views.get(fact.object);
          if (view !== undefined) view.next = `as-edited-by-${fact.instance}`;
        }
        break;
      case 'FileNameInformationCreate':
        this.names.set(fact.object, fact.name);
        break;
      case 'FltCreateCommunicationPort':
        this.names.set(fact.object, fact.name);
        break;
      case 'ConnectNotify':
        this.names.set(fact.object, `client of ${this.names.get(fact.serverPort) ?? fact.serverPort}`);
        break;
      default:
        break;
    }
  }

  /**
   * What a parameter fingerprint of operation `op` stands for. The first new fingerprint after
   * IoStart is the view as issued; the first new one after a dirty pre-op is that instance's edit;
   * any other (an edit made in a pended pre-op's completion) stays the fingerprint.
   */
  parameters(op: string, fingerprint: string): string {
    const view = this.views.get(op);
    if (view === undefined) return fingerprint;
    let label = view.labels.get(fingerprint);
    if (label === undefined && view.next !== null) {
      label = view.next;
      view.labels.set(fingerprint, label);
      view.next = null;
    }
    return label ?? fingerprint;
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
