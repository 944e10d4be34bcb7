/** The bridge's version, reported in /status and to the child as clientInfo. Kept in step with package.json. */
export const BRIDGE_VERSION = '0.1.0';
