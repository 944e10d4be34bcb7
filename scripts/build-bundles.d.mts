/** Where `npm run build` writes the bridge bundle (out/bridge/bridge.mjs). */
export declare const bridgeBundlePath: string;

/** Bundles src-bridge/main.ts into one ESM file and returns its path; throws when the bridge does not compile. */
export declare function buildBridgeBundle(options?: { outfile?: string; quiet?: boolean }): Promise<string>;
