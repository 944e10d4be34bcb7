import {
  methodName,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type FleetApi,
  type Result,
} from '../../src-main/shared/contract';

type AnyMethod = (input: unknown) => Promise<Result<unknown>>;

/** Calls a contract channel by name, so query keys and invalidation can work with channel names. */
export function call<C extends Channel>(
  api: FleetApi,
  channel: C,
  input: ChannelInput<C>,
): Promise<Result<ChannelOutput<C>>> {
  const method = (api as unknown as Record<string, AnyMethod>)[methodName(channel)];
  if (!method) {
    return Promise.resolve({ ok: false, error: { code: 'internal', message: `the API has no ${channel}` } });
  }
  return method(input) as Promise<Result<ChannelOutput<C>>>;
}
