/** Security identifiers the model uses for requestors. */
export const DEFAULT_USER_SID = 'S-1-5-21-1000-1000-1000-1001';
export { SYSTEM_TOKEN as SYSTEM_SID } from '../kernel/kernel.js';
