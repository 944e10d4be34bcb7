/** Where Electron's Linux sandbox check looks; tests point it at their own files. */
export interface SandboxPaths {
  sysctlPath?: string;
  apparmorDir?: string;
  stat?: (path: string) => { uid: number; mode: number };
}

export type StartPlan =
  | { electron: { binary: string; args: string[]; notices: string[] }; web?: undefined }
  | { web: { reason: string; remedy: string }; electron?: undefined };

/** Decides what `npm start` starts, fetching the Electron binary first when it is missing; never throws for a machine that cannot run Electron. */
export declare function planStart(options: {
  repo: string;
  pkgDir: string | null;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  uid: number | undefined;
  execPath: string;
  log?: (line: string) => void;
  sandbox?: SandboxPaths;
}): Promise<StartPlan>;

/** The paragraph `npm start` prints before it starts web mode instead of Electron. */
export declare function webModeNotice(web: { reason: string; remedy: string }): string;
