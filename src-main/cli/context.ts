import type { Services } from '../app/composition-root';
import type { Channel, ChannelInput, ChannelOutput } from '../shared/contract';
import { FleetError } from '../shared/errors';
import { dispatch } from '../ipc/handle';
import type { Output } from './output';

export interface CommandContext {
  output: Output;
  home: string;
  /** Opens the services on first use (so `--help` never asks for a passphrase). */
  services(): Promise<Services>;
  /** Closes the services if they were opened. */
  close(): void;
  /** Calls a contract channel exactly as the UI would; throws the FleetError it answers with. */
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
}

export function makeContext(output: Output, home: string, open: () => Promise<Services>): CommandContext {
  let services: Promise<Services> | undefined;
  let opened: Services | undefined;
  const ctx: CommandContext = {
    output,
    home,
    services: () =>
      (services ??= open().then((s) => {
        opened = s;
        return s;
      })),
    close: () => opened?.close(),
    async call(channel, input) {
      const s = await ctx.services();
      const result = await dispatch(s.handlers, channel, input, (_c, err) => {
        // The name only: an unexpected error's text may quote data the operator did not ask to print.
        process.stderr.write(
          `mcp-fleet: internal error in ${channel}: ${err instanceof Error ? err.name : 'unknown'}\n`,
        );
      });
      if (!result.ok) throw new FleetError(result.error.code, result.error.message);
      return result.data as ChannelOutput<typeof channel>;
    },
  };
  return ctx;
}
