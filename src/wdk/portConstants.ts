/**
 * Communication-port constants (fltKernel.h, FltUserStructures.h, FltUser.h), §17.
 * Values copied exactly.
 */
import { STANDARD_RIGHTS_ALL } from './fileConstants.js';

/** FltBuildDefaultSecurityDescriptor DesiredAccess: the right to connect. */
export const FLT_PORT_CONNECT = 0x0001;
/** FLT_PORT_CONNECT | STANDARD_RIGHTS_ALL. */
export const FLT_PORT_ALL_ACCESS = (FLT_PORT_CONNECT | STANDARD_RIGHTS_ALL) >>> 0;

/** FilterConnectCommunicationPort Options (Windows 8.1+): a synchronous handle. */
export const FLT_PORT_FLAG_SYNC_HANDLE = 0x00000001;

/**
 * sizeof(FILTER_MESSAGE_HEADER) { ULONG ReplyLength; ULONGLONG MessageId; } with its alignment
 * padding: the message body starts at this offset of FilterGetMessage's buffer.
 */
export const FILTER_MESSAGE_HEADER_SIZE = 16;
/**
 * sizeof(FILTER_REPLY_HEADER) { NTSTATUS Status; ULONGLONG MessageId; }: FilterReplyMessage's
 * payload starts here, and FltSendMessage's ReplyBuffer receives only what follows it.
 */
export const FILTER_REPLY_HEADER_SIZE = 16;

/** Win32 WaitForSingleObject results and INFINITE (winbase.h). */
export const WAIT_OBJECT_0 = 0x00000000;
export const WAIT_TIMEOUT = 0x00000102;
/** (DWORD)0xFFFFFFFF: the wait itself failed (an invalid handle, one that is not waitable); GetLastError says why. */
export const WAIT_FAILED = 0xffffffff;
export const INFINITE = 0xffffffff;
