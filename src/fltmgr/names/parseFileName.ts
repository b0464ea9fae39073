/**
 * FltParseFileNameInformation / FltParseFileName (§16.4): split a name into Volume, Share,
 * ParentDir, FinalComponent, Extension and Stream, as the DDI page's three examples do:
 *
 *   \Device\LanManRedirector\MyServer\MyShare\Docs\Test Results.txt:stream1
 *     Volume \Device\LanManRedirector  Share \MyServer\MyShare  ParentDir \Docs\
 *     FinalComponent Test Results.txt:stream1  Extension txt  Stream :stream1
 *   \Device\HarddiskVolume1\Docume~1\TestRe~1.txt:stream1:$DATA  (opened: the stream keeps :$DATA)
 *   TestRe~1.txt  (short: only FinalComponent and Extension)
 *
 * Extension is what follows the last '.' of the final component without its stream part [model].
 */
import { FLT_FILE_NAME_SHORT } from '../../wdk/nameConstants.js';

export interface ParsedFileName {
  readonly Volume: string;
  readonly Share: string;
  readonly ParentDir: string;
  readonly FinalComponent: string;
  readonly Extension: string;
  readonly Stream: string;
}

/** Redirector device names whose next two components are `\Server\Share`. */
const REDIRECTORS = /^\\Device\\(LanManRedirector|Mup|WebDavRedirector|RdpDr)$/i;

/** The final-component parts of any name (FltParseFileName's three outputs). */
export function parseFinalComponent(finalComponent: string): { FinalComponent: string; Extension: string; Stream: string } {
  const colon = finalComponent.indexOf(':');
  const base = colon < 0 ? finalComponent : finalComponent.slice(0, colon);
  const Stream = colon < 0 ? '' : finalComponent.slice(colon);
  const dot = base.lastIndexOf('.');
  return { FinalComponent: finalComponent, Extension: dot < 0 ? '' : base.slice(dot + 1), Stream };
}

export function parseFileNameParts(name: string, format: number): ParsedFileName {
  if (format === FLT_FILE_NAME_SHORT) return { Volume: '', Share: '', ParentDir: '', ...parseFinalComponent(name) };
  let Volume = '';
  let Share = '';
  let rest = name;
  const device = /^(\\Device\\[^\\]+)/i.exec(rest);
  if (device !== null) {
    Volume = device[1]!;
    rest = rest.slice(Volume.length);
    if (REDIRECTORS.test(Volume)) {
      const share = /^(\\[^\\]+\\[^\\]+)/.exec(rest);
      if (share !== null) {
        Share = share[1]!;
        rest = rest.slice(Share.length);
      }
    }
  }
  const lastSlash = rest.lastIndexOf('\\');
  const ParentDir = lastSlash < 0 ? '' : rest.slice(0, lastSlash + 1);
  return { Volume, Share, ParentDir, ...parseFinalComponent(lastSlash < 0 ? rest : rest.slice(lastSlash + 1)) };
}
