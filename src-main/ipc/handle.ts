/**
 * The one place a request from any UI transport enters the services: validate the channel name and the
 * input against the contract, run the handler, validate the output, and wrap it in a Result.
 * Electron IPC and the web server both call `dispatch`; nothing else runs handlers.
 */
import type { z } from 'zod';
import { channels, type Channel, type Result } from '../shared/contract';
import { FleetError, describeZodError, toErrorShape } from '../shared/errors';

export type Handlers = {
  [C in Channel]: (
    input: z.output<(typeof channels)[C]['input']>,
  ) => Promise<z.input<(typeof channels)[C]['output']>>;
};

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/** Logs an unexpected error without its message text reaching the caller. */
export type ErrorLog = (channel: string, err: unknown) => void;

export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  rawInput: unknown,
  logError: ErrorLog = () => {},
): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return {
      ok: false,
      error: { code: 'invalid_input', message: `unknown channel ${JSON.stringify(channel)}` },
    };
  }
  const spec = channels[channel];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: describeZodError(parsed.error) } };
  }
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    const out = await handler(parsed.data);
    const checked = spec.output.safeParse(out);
    if (!checked.success) {
      throw new FleetError('internal', `handler for ${channel} returned a malformed result`, {
        cause: checked.error,
      });
    }
    return { ok: true, data: checked.data };
  } catch (err) {
    if (!(err instanceof FleetError) || err.code === 'internal') logError(channel, err);
    return { ok: false, error: toErrorShape(err) };
  }
}
