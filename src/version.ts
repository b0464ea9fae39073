/** fltsim's version, written into every log and trace header. Kept equal to package.json by a test. */
export const FLTSIM_VERSION = '0.1.0';
