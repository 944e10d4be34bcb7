/** Kept in step with package.json's version by hand at release time. */
export const APP_VERSION = '0.1.0';
