/**
 * `mcp-fleet`: the same services as the app, from a terminal. Exit 0 on success; on failure one line
 * on stderr naming the problem, exit 2 for bad input and 1 otherwise.
 */
import { resolve } from 'node:path';
import { createServices, type Services } from '../app/composition-root';
import { defaultHome } from '../services/home';
import { PassphraseKeyProvider } from '../services/store/key-providers';
import { FleetError } from '../shared/errors';
import { usage } from './args';
import { ALERTS_USAGE, alertsCommand } from './commands/alerts';
import { AUDIT_USAGE, auditCommand } from './commands/audit';
import { TOOLS_USAGE, toolsCommand } from './commands/tools';
import { CLIENTS_USAGE, clientsCommand } from './commands/clients';
import { DEPLOY_USAGE, deployCommand, hostsCheckCommand, serversUpdateCommand } from './commands/deploy';
import { EXPORT_USAGE, exportCommand } from './commands/export';
import { HEALTH_USAGE, healthCommand } from './commands/health';
import { IMAGES_USAGE, imagesCommand } from './commands/images';
import { hostsCommand, HOSTS_USAGE } from './commands/hosts';
import { INSTANCES_USAGE, instancesCommand } from './commands/instances';
import { MEMBERS_USAGE, membersCommand } from './commands/members';
import { SECRETS_USAGE, secretsCommand } from './commands/secrets';
import { serveCommand, SERVE_USAGE } from './commands/serve';
import { serversCommand, SERVERS_USAGE } from './commands/servers';
import { settingsCommand, SETTINGS_USAGE } from './commands/settings';
import { storeCommand, STORE_USAGE } from './commands/store';
import { TLS_USAGE, tlsCommand } from './commands/tls';
import { makeContext } from './context';
import { promptHidden } from './stdin';

const USAGE = `usage: mcp-fleet [--home DIR] [--json] COMMAND ...

${SERVE_USAGE}
${HOSTS_USAGE}
${SERVERS_USAGE}
${EXPORT_USAGE}
${CLIENTS_USAGE}
${DEPLOY_USAGE}
${IMAGES_USAGE}
${MEMBERS_USAGE}
${INSTANCES_USAGE}
${HEALTH_USAGE}
${AUDIT_USAGE}
${TOOLS_USAGE}
${ALERTS_USAGE}
${SECRETS_USAGE}
${TLS_USAGE}
${STORE_USAGE}
${SETTINGS_USAGE}

The store is encrypted with a key derived from MCP_FLEET_PASSPHRASE (asked for on a terminal when unset).
Data lives in --home DIR, else MCP_FLEET_HOME, else the per-user app-data folder (${defaultHome()}).`;

export async function main(argv: string[]): Promise<number> {
  let json = false;
  let home: string | undefined;
  const rest: string[] = [];
  // Global options may stand anywhere before the command's own "--".
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i] as string;
    if (w === '--json') json = true;
    else if (w === '--home') {
      const dir = argv[++i];
      if (dir === undefined) return fail(usage('--home needs a directory'), json);
      home = dir;
    } else if (w.startsWith('--home=')) home = w.slice('--home='.length);
    else if (w === '--') {
      rest.push(...argv.slice(i));
      break;
    } else rest.push(w);
  }
  const output = { json, out: (t: string) => void process.stdout.write(t + '\n') };
  const dir = home !== undefined ? resolve(home) : defaultHome();
  const [command, ...args] = rest;
  const ctx = makeContext(output, dir, () => openServices(dir, command === 'serve'));
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        output.out(USAGE);
        return 0;
      case 'hosts':
        if (args[0] === 'check') await hostsCheckCommand(ctx, args.slice(1));
        else await hostsCommand(ctx, args);
        break;
      case 'servers':
        if (args[0] === 'update') await serversUpdateCommand(ctx, args.slice(1));
        else await serversCommand(ctx, args);
        break;
      case 'deploy':
        await deployCommand(ctx, args);
        break;
      case 'members':
        await membersCommand(ctx, args);
        break;
      case 'images':
        await imagesCommand(ctx, args);
        break;
      case 'instances':
        await instancesCommand(ctx, args);
        break;
      case 'secrets':
        await secretsCommand(ctx, args);
        break;
      case 'health':
        await healthCommand(ctx, args);
        break;
      case 'audit':
        await auditCommand(ctx, args);
        break;
      case 'alerts':
        await alertsCommand(ctx, args);
        break;
      case 'tools':
        await toolsCommand(ctx, args);
        break;
      case 'tls':
        await tlsCommand(ctx, args);
        break;
      case 'export':
        await exportCommand(ctx, args, (input) => ctx.call('export:render', input));
        break;
      case 'clients':
        await clientsCommand(ctx, args, (input) => ctx.call('export:render', input));
        break;
      case 'serve':
        await serveCommand(ctx, args);
        break;
      case 'store':
        await storeCommand(ctx, args);
        break;
      case 'settings':
        await settingsCommand(ctx, args);
        break;
      default:
        throw usage(`unknown command "${command}" (see mcp-fleet --help)`);
    }
    return 0;
  } catch (err) {
    return fail(err, json);
  } finally {
    if (command !== 'serve') ctx.close();
  }
}

async function openServices(home: string, longRunning: boolean): Promise<Services> {
  let passphrase = process.env.MCP_FLEET_PASSPHRASE;
  if (passphrase === undefined) {
    if (!process.stdin.isTTY) {
      throw new FleetError(
        'store_locked',
        'set MCP_FLEET_PASSPHRASE to the passphrase that encrypts the store',
      );
    }
    passphrase = await promptHidden(`passphrase for the MCP Fleet store in ${home}: `);
  }
  return createServices({
    home,
    keyProvider: new PassphraseKeyProvider(passphrase),
    transport: 'web',
    actor: `cli:${process.env.USER ?? 'unknown'}`,
    watchExternalChanges: longRunning,
  });
}

function fail(err: unknown, json: boolean): number {
  const code = err instanceof FleetError ? err.code : 'internal';
  const message =
    err instanceof FleetError
      ? err.message
      : `unexpected error: ${err instanceof Error ? err.name : 'unknown'}`;
  if (json) process.stderr.write(JSON.stringify({ error: { code, message } }) + '\n');
  else if (message.startsWith('usage:\n')) process.stderr.write(message + '\n');
  else process.stderr.write(`mcp-fleet: ${message.split('\n').join(' ')}\n`);
  return code === 'invalid_input' ? 2 : 1;
}
