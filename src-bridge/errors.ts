/**
 * The bridge's own error type. It mirrors `FleetError` from `src-main/shared/errors.ts` (a code and a
 * sentence an operator understands) without importing it, because that module pulls zod into the
 * container bundle for no gain.
 */
export type BridgeErrorCode = 'invalid_input' | 'unavailable' | 'internal';

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BridgeError';
    this.code = code;
  }
}

/** A short description of an unknown error that is safe to log: the message only, never a stack or fields. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
