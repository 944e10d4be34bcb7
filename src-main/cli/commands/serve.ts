import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installRoot } from '../../app/runtime-paths';
import { createServices, type Services } from '../../app/composition-root';
import { PassphraseKeyProvider } from '../../services/store/key-providers';
import { startWebServer } from '../../web/server';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';

export const SERVE_USAGE =
  'mcp-fleet serve [--port N] [--host 127.0.0.1]   web mode: the app UI in a browser';

/** Serves the renderer and the services on loopback until SIGINT/SIGTERM. */
export async function serveCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { port: 'string', host: 'string' });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  const portText = a.values.get('port') ?? '0';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) throw usage(`--port must be 0-65535, got "${portText}"`);
  const host = a.values.get('host') ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw usage(
      'web mode listens on loopback only (127.0.0.1, ::1 or localhost); use an SSH tunnel to reach it',
    );
  }
  const rendererDir = findRendererDir();
  // Without MCP_FLEET_PASSPHRASE the server starts at once with the store locked; the operator unlocks
  // it in the browser, so a terminal prompt never blocks the URL from being printed.
  let opened: Services | undefined;
  const web =
    process.env.MCP_FLEET_PASSPHRASE !== undefined
      ? await startWebServer({ services: (opened = await ctx.services()), host, port, rendererDir })
      : await startWebServer({
          unlock: {
            home: ctx.home,
            open: async (passphrase) =>
              (opened = await createServices({
                home: ctx.home,
                keyProvider: new PassphraseKeyProvider(passphrase),
                transport: 'web',
                actor: `web:${process.env.USER ?? 'unknown'}`,
                watchExternalChanges: true,
              })),
          },
          host,
          port,
          rendererDir,
        });
  if (ctx.output.json)
    ctx.output.out(JSON.stringify({ url: web.url, loginUrl: web.loginUrl, port: web.port }));
  else ctx.output.out(`MCP Fleet web mode: ${web.loginUrl}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void web.close().finally(() => {
        opened?.close();
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function findRendererDir(): string {
  const renderer = resolve(installRoot(), 'out', 'renderer');
  if (!existsSync(join(renderer, 'index.html'))) {
    throw new FleetError(
      'unavailable',
      `the UI is not built (${renderer} is missing); run \`npm run build\` first`,
    );
  }
  return renderer;
}
