import { z } from 'zod';

/** The closed set of error codes every transport (IPC, web, CLI) reports. */
export const ErrorCode = z.enum([
  'invalid_input',
  'not_found',
  'conflict',
  'unauthorized',
  'store_locked',
  'unavailable',
  'host_key_mismatch',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorShape = z.object({ code: ErrorCode, message: z.string() });
export type ErrorShape = z.infer<typeof ErrorShape>;

/** An error with a code and a sentence an operator understands; safe to show as it is. */
export class FleetError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetError';
    this.code = code;
  }
}

export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof FleetError) return { code: err.code, message: err.message };
  // Unknown errors may carry secrets in their text (a driver echoing a statement, say): say little.
  return { code: 'internal', message: 'internal error; see the log for details' };
}

/** Formats a zod failure as one line that names the field and the problem. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'input';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
