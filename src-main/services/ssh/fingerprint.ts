import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint format: "SHA256:" and the unpadded base64 of the SHA-256 of the key blob. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Compares fingerprints as OpenSSH prints them; a missing "SHA256:" prefix or padding does not count. */
export function sameFingerprint(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

function normalize(fp: string): string {
  return fp
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
}
