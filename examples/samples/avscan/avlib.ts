/**
 * avlib.h: what the filter and the user-mode scanner share — the port names, the commands the
 * scanner sends (COMMAND_MESSAGE), the messages the filter sends (AV_SCANNER_NOTIFICATION), the
 * connection context, and the search pattern. Messages cross the port as bytes, laid out as the C
 * structures on x64 (little-endian, LONGLONG aligned to 8).
 */

export const AV_SCAN_PORT_NAME = '\\MicrosoftAvSampleFilterScanPort';
export const AV_ABORT_PORT_NAME = '\\MicrosoftAvSampleFilterAbortPort';
export const AV_QUERY_PORT_NAME = '\\MicrosoftAvSampleFilterQueryPort';

/** AVSCAN_COMMAND. */
export const AvIsFileModified = 0;
export const AvCmdCreateSectionForDataScan = 1;
export const AvCmdCloseSectionForDataScan = 2;

/** AVSCAN_MESSAGE. */
export const AvMsgStartScanning = 0;
export const AvMsgAbortScanning = 1;
export const AvMsgFilterUnloading = 2;

/** AVSCAN_REASON. */
export const AvScanOnOpen = 0;
export const AvScanOnCleanup = 1;

/** AVSCAN_RESULT. */
export const AvScanResultUndetermined = 0;
export const AvScanResultInfected = 1;
export const AvScanResultClean = 2;
export type AVSCAN_RESULT = typeof AvScanResultUndetermined | typeof AvScanResultInfected | typeof AvScanResultClean;

/** AVSCAN_CONNECTION_TYPE. */
export const AvConnectForScan = 1;
export const AvConnectForAbort = 2;
export const AvConnectForQuery = 3;

/** "message to be found", each byte XORed with the key, so the sample never holds the pattern in clear. */
export const AV_DEFAULT_SEARCH_PATTERN = '7?));=?z.5z8?z<5/4>';
export const AV_DEFAULT_PATTERN_XOR_KEY = 90;

/** The pattern decoded, as AvScanMemoryStream and UserScanMemoryStream decode it before searching. */
export function decodedPattern(): Uint8Array {
  return Uint8Array.from(AV_DEFAULT_SEARCH_PATTERN, (c) => c.charCodeAt(0) ^ AV_DEFAULT_PATTERN_XOR_KEY);
}

/** AV_SCANNER_NOTIFICATION: Message, Reason (ULONGs), ScanId (LONGLONG at 8), ScanThreadId (ULONG at 16). */
export interface AV_SCANNER_NOTIFICATION {
  Message: number;
  Reason: number;
  ScanId: number;
  ScanThreadId: number;
}
export const AV_SCANNER_NOTIFICATION_SIZE = 24;

export function encodeNotification(n: AV_SCANNER_NOTIFICATION): Uint8Array {
  const bytes = new Uint8Array(AV_SCANNER_NOTIFICATION_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, n.Message, true);
  v.setUint32(4, n.Reason, true);
  v.setBigInt64(8, BigInt(n.ScanId), true);
  v.setUint32(16, n.ScanThreadId, true);
  return bytes;
}

export function decodeNotification(bytes: Uint8Array, offset = 0): AV_SCANNER_NOTIFICATION {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, AV_SCANNER_NOTIFICATION_SIZE);
  return { Message: v.getUint32(0, true), Reason: v.getUint32(4, true), ScanId: Number(v.getBigInt64(8, true)), ScanThreadId: v.getUint32(16, true) };
}

/** COMMAND_MESSAGE: Command (ULONG), ScanId (LONGLONG at 8), ScanThreadId (ULONG at 16), the union (FileHandle / ScanResult) at 24. */
export interface COMMAND_MESSAGE {
  Command: number;
  ScanId: number;
  ScanThreadId: number;
  ScanResult: number;
}
export const COMMAND_MESSAGE_SIZE = 32;

export function encodeCommand(c: COMMAND_MESSAGE): Uint8Array {
  const bytes = new Uint8Array(COMMAND_MESSAGE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, c.Command, true);
  v.setBigInt64(8, BigInt(c.ScanId), true);
  v.setUint32(16, c.ScanThreadId, true);
  v.setUint32(24, c.ScanResult, true);
  return bytes;
}

export function decodeCommand(bytes: Uint8Array): COMMAND_MESSAGE {
  const v = new DataView(bytes.buffer, bytes.byteOffset, COMMAND_MESSAGE_SIZE);
  return { Command: v.getUint32(0, true), ScanId: Number(v.getBigInt64(8, true)), ScanThreadId: v.getUint32(16, true), ScanResult: v.getUint32(24, true) };
}

/** AV_CONNECTION_CONTEXT: the connection type, a ULONG. */
export function encodeConnectionContext(Type: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, Type, true);
  return bytes;
}

/** A HANDLE in a buffer: 8 bytes. */
export function writeHandle(buffer: Uint8Array, value: number): void {
  new DataView(buffer.buffer, buffer.byteOffset, 8).setBigUint64(0, BigInt(value), true);
}

export function readHandle(buffer: Uint8Array): number {
  return Number(new DataView(buffer.buffer, buffer.byteOffset, 8).getBigUint64(0, true));
}
