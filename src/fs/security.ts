/**
 * Security descriptors and the access check the FS performs for opens.
 *
 * The check is SeAccessCheck reduced to what file system filters observe: generic mapping with the
 * file GENERIC_MAPPING, ACEs walked in order where the first ACE that mentions a bit decides it
 * (equivalent to the kernel's "deny if a remaining requested bit is denied" walk), the owner's
 * implicit READ_CONTROL | WRITE_DAC, MAXIMUM_ALLOWED, and a NULL DACL granting everything.
 * No inheritance flags, conditional ACEs, integrity labels or privileges beyond SeSecurityPrivilege.
 */
import type { Ace, SecurityDescriptor } from '../wdk/parameters.js';
import {
  ACCESS_SYSTEM_SECURITY,
  DACL_SECURITY_INFORMATION,
  FILE_ALL_ACCESS,
  FILE_GENERIC_EXECUTE,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  GROUP_SECURITY_INFORMATION,
  LABEL_SECURITY_INFORMATION,
  MAXIMUM_ALLOWED,
  OWNER_SECURITY_INFORMATION,
  READ_CONTROL,
  SACL_SECURITY_INFORMATION,
  SID_ANONYMOUS,
  SID_AUTHENTICATED_USERS,
  SID_BUILTIN_ADMINISTRATORS,
  SID_EVERYONE,
  SID_LOCAL_SYSTEM,
  WRITE_DAC,
  WRITE_OWNER,
} from '../wdk/fileConstants.js';
import { STATUS_INVALID_ACL, STATUS_INVALID_SECURITY_DESCR, STATUS_INVALID_SID, STATUS_SUCCESS } from '../wdk/ntstatus.js';

/** IoGetFileObjectGenericMapping: GENERIC_* → FILE_GENERIC_* / FILE_ALL_ACCESS. */
export function mapGenericMask(mask: number): number {
  let mapped = mask & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
  if (mask & GENERIC_READ) mapped |= FILE_GENERIC_READ;
  if (mask & GENERIC_WRITE) mapped |= FILE_GENERIC_WRITE;
  if (mask & GENERIC_EXECUTE) mapped |= FILE_GENERIC_EXECUTE;
  if (mask & GENERIC_ALL) mapped |= FILE_ALL_ACCESS;
  return mapped >>> 0;
}

export function defaultTokenGroups(sid: string): readonly string[] {
  const groups = [sid, SID_EVERYONE];
  if (sid !== SID_ANONYMOUS) groups.push(SID_AUTHENTICATED_USERS);
  if (sid === SID_LOCAL_SYSTEM) groups.push(SID_BUILTIN_ADMINISTRATORS);
  return groups;
}

/** SeSecurityPrivilege (needed for ACCESS_SYSTEM_SECURITY): held by SYSTEM and Administrators. */
export function holdsSecurityPrivilege(groups: readonly string[]): boolean {
  return groups.includes(SID_LOCAL_SYSTEM) || groups.includes(SID_BUILTIN_ADMINISTRATORS);
}

/** Every access the DACL grants to these SIDs (the MAXIMUM_ALLOWED answer). */
export function allowedAccess(sd: SecurityDescriptor, groups: readonly string[]): number {
  if (sd.Dacl === null) return FILE_ALL_ACCESS;
  let granted = 0;
  let denied = 0;
  if (sd.Owner !== null && groups.includes(sd.Owner)) granted |= READ_CONTROL | WRITE_DAC;
  for (const ace of sd.Dacl) {
    if (!groups.includes(ace.sid)) continue;
    const mask = mapGenericMask(ace.mask);
    if (ace.type === 'allow') granted |= mask & ~denied;
    else denied |= mask & ~granted;
  }
  return (granted & FILE_ALL_ACCESS) >>> 0;
}

/** Desired (mapped, without MAXIMUM_ALLOWED) against allowed; null when something is missing. */
export function grantFrom(desired: number, allowed: number): number | null {
  const mapped = mapGenericMask(desired);
  const wantMax = (mapped & MAXIMUM_ALLOWED) !== 0;
  const specific = mapped & ~MAXIMUM_ALLOWED & ~ACCESS_SYSTEM_SECURITY;
  if ((specific & ~allowed) !== 0) return null;
  if (wantMax) return allowed === 0 && specific === 0 ? null : (allowed | specific) >>> 0;
  return specific >>> 0;
}

const SID_PATTERN = /^S-1-(\d{1,15})((?:-\d{1,10}){0,15})$/;

export function isValidSid(sid: unknown): sid is string {
  if (typeof sid !== 'string') return false;
  const match = SID_PATTERN.exec(sid);
  if (!match) return false;
  if (Number(match[1]) >= 2 ** 48) return false;
  const subs = (match[2] ?? '').split('-').slice(1);
  return subs.every((s) => Number(s) <= 0xffffffff);
}

function sidSize(sid: string): number {
  const subAuthorityCount = sid.split('-').length - 3;
  return 8 + 4 * subAuthorityCount;
}

function aclSize(acl: readonly Ace[]): number {
  return acl.reduce((size, ace) => size + 8 + sidSize(ace.sid), 8);
}

/** SECURITY_DESCRIPTOR_RELATIVE (20 bytes) followed by the owner, group, SACL and DACL present. */
export function selfRelativeSize(sd: SecurityDescriptor): number {
  let size = 20;
  if (sd.Owner !== null) size += sidSize(sd.Owner);
  if (sd.Group !== null) size += sidSize(sd.Group);
  if (sd.Sacl !== null) size += aclSize(sd.Sacl);
  if (sd.Dacl !== null) size += aclSize(sd.Dacl);
  return size;
}

/** The parts of `sd` that SecurityInformation asks for; others come back absent (null). */
export function selectDescriptor(sd: SecurityDescriptor, securityInformation: number): SecurityDescriptor {
  return {
    Owner: securityInformation & OWNER_SECURITY_INFORMATION ? sd.Owner : null,
    Group: securityInformation & GROUP_SECURITY_INFORMATION ? sd.Group : null,
    Dacl: securityInformation & DACL_SECURITY_INFORMATION ? sd.Dacl : null,
    Sacl: securityInformation & SACL_SECURITY_INFORMATION ? sd.Sacl : null,
  };
}

/** Access a handle needs to query (READ_CONTROL, ACCESS_SYSTEM_SECURITY) — SeQuerySecurityAccessMask. */
export function querySecurityAccessMask(securityInformation: number): number {
  let mask = 0;
  if (securityInformation & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION)) {
    mask |= READ_CONTROL;
  }
  if (securityInformation & SACL_SECURITY_INFORMATION) mask |= ACCESS_SYSTEM_SECURITY;
  return mask;
}

/** Access a handle needs to set (WRITE_OWNER, WRITE_DAC, ACCESS_SYSTEM_SECURITY) — SeSetSecurityAccessMask. */
export function setSecurityAccessMask(securityInformation: number): number {
  let mask = 0;
  if (securityInformation & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION)) mask |= WRITE_OWNER;
  if (securityInformation & DACL_SECURITY_INFORMATION) mask |= WRITE_DAC;
  if (securityInformation & SACL_SECURITY_INFORMATION) mask |= ACCESS_SYSTEM_SECURITY;
  return mask;
}

function validAcl(acl: unknown): boolean {
  if (acl === null) return true;
  if (!Array.isArray(acl)) return false;
  return acl.every(
    (ace: unknown) =>
      typeof ace === 'object' &&
      ace !== null &&
      ((ace as Ace).type === 'allow' || (ace as Ace).type === 'deny') &&
      Number.isInteger((ace as Ace).mask) &&
      (ace as Ace).mask >= 0 &&
      (ace as Ace).mask <= 0xffffffff,
  );
}

function aclSids(acl: readonly Ace[] | null): string[] {
  return acl === null ? [] : acl.map((ace) => ace.sid);
}

/** RtlValidSecurityDescriptor for the parts being set. */
export function validateDescriptor(sd: SecurityDescriptor, securityInformation: number): number {
  if (typeof sd !== 'object' || sd === null) return STATUS_INVALID_SECURITY_DESCR;
  if (securityInformation & OWNER_SECURITY_INFORMATION && !isValidSid(sd.Owner)) {
    return sd.Owner === null ? STATUS_INVALID_SECURITY_DESCR : STATUS_INVALID_SID;
  }
  if (securityInformation & GROUP_SECURITY_INFORMATION && !isValidSid(sd.Group)) {
    return sd.Group === null ? STATUS_INVALID_SECURITY_DESCR : STATUS_INVALID_SID;
  }
  for (const [bit, acl] of [
    [DACL_SECURITY_INFORMATION, sd.Dacl],
    [SACL_SECURITY_INFORMATION, sd.Sacl],
  ] as const) {
    if (!(securityInformation & bit)) continue;
    if (!validAcl(acl)) return STATUS_INVALID_ACL;
    if (!aclSids(acl).every(isValidSid)) return STATUS_INVALID_SID;
    if (acl !== null && aclSize(acl) > 0xffff) return STATUS_INVALID_ACL;
  }
  return STATUS_SUCCESS;
}

/** Replaces the parts named by SecurityInformation. */
export function mergeDescriptor(current: SecurityDescriptor, update: SecurityDescriptor, securityInformation: number): SecurityDescriptor {
  const copyAcl = (acl: readonly Ace[] | null): Ace[] | null => (acl === null ? null : acl.map((ace) => ({ ...ace })));
  return {
    Owner: securityInformation & OWNER_SECURITY_INFORMATION ? update.Owner : current.Owner,
    Group: securityInformation & GROUP_SECURITY_INFORMATION ? update.Group : current.Group,
    Dacl: securityInformation & DACL_SECURITY_INFORMATION ? copyAcl(update.Dacl) : current.Dacl,
    Sacl: securityInformation & SACL_SECURITY_INFORMATION ? copyAcl(update.Sacl) : current.Sacl,
  };
}

/** A new file's descriptor: the creator owns it, group and DACL copied from the parent. */
export function inheritDescriptor(parent: SecurityDescriptor, creatorSid: string): SecurityDescriptor {
  return {
    Owner: creatorSid,
    Group: parent.Group,
    Dacl: parent.Dacl === null ? null : parent.Dacl.map((ace) => ({ ...ace })),
    Sacl: null,
  };
}

/** Modify = FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE. */
export const MODIFY_ACCESS = 0x001301bf;

export function defaultRootDescriptor(): SecurityDescriptor {
  return {
    Owner: SID_BUILTIN_ADMINISTRATORS,
    Group: SID_LOCAL_SYSTEM,
    Dacl: [
      { type: 'allow', sid: SID_LOCAL_SYSTEM, mask: FILE_ALL_ACCESS },
      { type: 'allow', sid: SID_BUILTIN_ADMINISTRATORS, mask: FILE_ALL_ACCESS },
      { type: 'allow', sid: SID_AUTHENTICATED_USERS, mask: MODIFY_ACCESS },
    ],
    Sacl: null,
  };
}

export function cloneDescriptor(sd: SecurityDescriptor): SecurityDescriptor {
  return mergeDescriptor(sd, sd, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION);
}
