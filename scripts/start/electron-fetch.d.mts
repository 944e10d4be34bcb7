/** The electron package's directory as `repo` resolves it, or null when it is not installed. */
export declare function electronPackageDir(repo: string): string | null;

/** The Electron version the package fetches. */
export declare function electronVersion(pkgDir: string): string;

/** The binary path.txt names, or why there is none and whether fetching would help. */
export declare function locateBinary(
  pkgDir: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): { binary: string } | { binary?: undefined; missing: string; fetchable: boolean };

/** Whether ELECTRON_SKIP_BINARY_DOWNLOAD asks not to download Electron. */
export declare function skipRequested(env: NodeJS.ProcessEnv): boolean;

/** Runs the package's install.js on this terminal; resolves with why it failed, never rejects. */
export declare function fetchBinary(options: {
  pkgDir: string;
  env: NodeJS.ProcessEnv;
  execPath: string;
  answerTimeoutMs?: number;
}): Promise<{ ok: true } | { ok: false; reason: string; host?: string }>;
