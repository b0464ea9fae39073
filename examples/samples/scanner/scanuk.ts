/**
 * scanuk.h: what the scanner filter and scanUser share — the port's name, how much of a file is
 * scanned, and the two structures that cross the port, as bytes (x64 layout): the notification
 * the filter sends and the one-byte verdict user mode sends back.
 */
export const ScannerPortName = '\\ScannerPort';

export const SCANNER_READ_BUFFER_SIZE = 1024;

/** SCANNER_NOTIFICATION: ULONG BytesToScan; ULONG Reserved (aligns Contents); UCHAR Contents[1024]. */
export const SCANNER_NOTIFICATION_SIZE = 8 + SCANNER_READ_BUFFER_SIZE;
export const SCANNER_NOTIFICATION_CONTENTS = 8;

/** SCANNER_REPLY: BOOLEAN SafeToOpen. */
export const SCANNER_REPLY_SIZE = 1;

export function getBytesToScan(notification: Uint8Array): number {
  return new DataView(notification.buffer, notification.byteOffset, 4).getUint32(0, true);
}

export function setBytesToScan(notification: Uint8Array, BytesToScan: number): void {
  new DataView(notification.buffer, notification.byteOffset, 4).setUint32(0, BytesToScan, true);
}

/** notification->Contents: the bytes after the header. */
export function contentsOf(notification: Uint8Array): Uint8Array {
  return notification.subarray(SCANNER_NOTIFICATION_CONTENTS, SCANNER_NOTIFICATION_SIZE);
}
