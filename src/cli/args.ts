/**
 * Command-line parsing with Node's own `util.parseArgs`: `--flag value` and `--flag=value`,
 * `-h`, repeated options, `--` before a positional that starts with a dash. Its errors become one
 * line naming the command and the flag, exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './exitCodes.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies OptionSpec;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommand(command: string, argv: readonly string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usageError(`unknown option '${flag}' (try fltsim ${command} --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw usageError(/argument missing/.test(message) ? `${flag} needs a value` : `${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw usageError(`unexpected argument (try fltsim ${command} --help)`);
    throw usageError(message.split('\n')[0]!);
  }
}

export function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

export function flagOption(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function listOption(p: Parsed, name: string): readonly string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A whole number within [min, max]; anything else names the flag, the range and what was given. */
export function integerOption(p: Parsed, name: string, range: { readonly min?: number; readonly max?: number } = {}): number | undefined {
  const v = stringOption(p, name);
  if (v === undefined) return undefined;
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const limits = range.min === undefined && range.max === undefined ? 'an integer of at most 15 digits' : `an integer from ${min} to ${max}`;
    throw usageError(`--${name} must be ${limits}, got '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`);
  }
  return n;
}

export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[], fallback: T): T {
  const v = stringOption(p, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw usageError(`--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got '${v}'`);
  return v as T;
}

/** `--arg key=value`, repeated: the scenario's arguments (values stay strings; scenarios parse them). */
export function scenarioArgs(p: Parsed): Record<string, string> {
  const args: Record<string, string> = {};
  for (const kv of listOption(p, 'arg')) {
    const m = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(kv);
    if (m === null) throw usageError(`--arg needs key=value, got '${kv}'`);
    args[m[1]!] = m[2]!;
  }
  return args;
}

export function onePositional(p: Parsed, command: string, what: string): string {
  if (p.positionals.length !== 1) throw usageError(`needs exactly one ${what}, got ${p.positionals.length === 0 ? 'none' : p.positionals.join(' ')} (try fltsim ${command} --help)`);
  return p.positionals[0]!;
}
