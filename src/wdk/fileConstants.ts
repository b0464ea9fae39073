/**
 * File-system constants, values exact from wdm.h / ntifs.h / winnt.h / winioctl.h (checked against
 * WDK headers in public repositories). Each group has a name table so a trace can print
 * `FILE_OPEN_IF` instead of `3`. Flag groups print as `A|B|0x40` via `bitNames`.
 */

// Split by concept into three modules; this one lists them so every import keeps working.
export * from './createConstants.js';
export * from './fileObjectConstants.js';
export * from './informationClasses.js';
