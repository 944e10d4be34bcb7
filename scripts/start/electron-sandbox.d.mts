export declare const USERNS_SYSCTL: string;
export declare const APPARMOR_DIR: string;
export declare const PROFILE_NAME: string;

/** The AppArmor profile that lets this Electron binary create user namespaces. */
export declare function appArmorProfile(binary: string): string;

/** Whether Chromium's sandbox can start for a non-root Linux user, else why not and the two fixes. */
export declare function sandboxCheck(options: {
  binary: string;
  sysctlPath?: string;
  apparmorDir?: string;
  stat?: (path: string) => { uid: number; mode: number };
}): { ok: true } | { ok: false; reason: string; remedy: string };
