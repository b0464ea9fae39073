/**
 * The checks every communication-port routine (§17) makes of its object and buffer arguments. In
 * C a wrong pointer here is a bug check or a fault in the caller; in the model it is a UsageError
 * that names the routine and the argument, never a TypeError from deep inside the port code.
 */
import { UsageError } from '../kernel/errors.js';
import { FilterObject } from './filterObject.js';
import { overlappedEventOrFailure } from './win32Handles.js';
import { ClientPort, FilterPortHandle, SecurityDescriptor, ServerPort, type OVERLAPPED, type PortVariable } from './portObjects.js';

function describe(value: unknown): string {
  return value === null ? 'NULL' : value === undefined ? 'undefined' : typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

export function filterArgument(routine: string, value: unknown): FilterObject {
  if (value instanceof FilterObject) return value;
  throw new UsageError('BAD_ARGUMENT', `${routine}: Filter is ${describe(value)}, not a PFLT_FILTER from FltRegisterFilter`);
}

export function serverPortArgument(routine: string, value: unknown): ServerPort {
  if (value instanceof ServerPort) return value;
  throw new UsageError('BAD_ARGUMENT', `${routine}: ServerPort is ${describe(value)}, not a PFLT_PORT from FltCreateCommunicationPort`);
}

/** `&ClientPort`: a box (`portVariable()`) holding a connection's port or NULL. */
export function portVariableArgument(routine: string, value: unknown): PortVariable {
  if (value !== null && typeof value === 'object' && 'value' in value) {
    const held = (value as { value: unknown }).value;
    if (held === null || held instanceof ClientPort) return value as PortVariable;
    throw new UsageError('BAD_ARGUMENT', `${routine}: *ClientPort is ${describe(held)}, not a PFLT_PORT from ConnectNotify or NULL`);
  }
  throw new UsageError('BAD_ARGUMENT', `${routine}: ClientPort is ${describe(value)}, not the address of a PFLT_PORT variable (portVariable())`);
}

export function portHandleArgument(routine: string, value: unknown): FilterPortHandle {
  if (value instanceof FilterPortHandle) return value;
  throw new UsageError('BAD_ARGUMENT', `${routine}: hPort is ${describe(value)}, not a handle from FilterConnectCommunicationPort`);
}

export function securityDescriptorArgument(routine: string, value: unknown): SecurityDescriptor {
  if (value instanceof SecurityDescriptor) return value;
  throw new UsageError('BAD_ARGUMENT', `${routine}: ${describe(value)} is not a PSECURITY_DESCRIPTOR from FltBuildDefaultSecurityDescriptor`);
}

/** A buffer argument: a Uint8Array, or NULL where the routine allows one. Its length is checked by the caller, against the size passed with it. */
export function bufferArgument(routine: string, name: string, value: unknown, nullable: boolean): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value === null && nullable) return null;
  throw new UsageError('BAD_ARGUMENT', `${routine}: ${name} is ${describe(value)}, not a buffer (Uint8Array)${nullable ? ' or NULL' : ''}`);
}

/**
 * An OVERLAPPED: `{ hEvent, Internal, InternalHigh }`, hEvent a HANDLE or NULL. A handle that names
 * no open event (closed, unknown, another object's) is the call's to fail with ERROR_INVALID_HANDLE
 * when it references hEvent (overlappedEventOrFailure); only a value no C caller could put there is
 * a UsageError here.
 */
export function overlappedArgument(routine: string, value: unknown): OVERLAPPED {
  if (value === null || typeof value !== 'object' || !('hEvent' in value)) {
    throw new UsageError('BAD_ARGUMENT', `${routine}: lpOverlapped is ${describe(value)}, not an OVERLAPPED ({ hEvent, Internal, InternalHigh })`);
  }
  overlappedEventOrFailure(routine, value as OVERLAPPED);
  return value as OVERLAPPED;
}
