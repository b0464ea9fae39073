/**
 * Security identifiers the model uses as tokens: a thread's token is the SID of the account it runs
 * as (kernel threads run as SYSTEM), and a request carries its requestor's.
 */
export const SYSTEM_SID = 'S-1-5-18';
export const DEFAULT_USER_SID = 'S-1-5-21-1000-1000-1000-1001';
/**
 * BUILTIN\Administrators. A thread whose token is this SID stands for an application running
 * elevated as an administrator: FltBuildDefaultSecurityDescriptor's ports admit it (§17.2).
 */
export const ADMINISTRATORS_SID = 'S-1-5-32-544';
