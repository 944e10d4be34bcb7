/** The testbed's Docker engine as the specs see it: the instances they made, and cleaning them up. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Containers labelled for `server`, name and state. */
export async function containersOf(server: string): Promise<{ name: string; state: string }[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-a',
    '--filter',
    `label=io.mcp-fleet.server=${server}`,
    '--format',
    '{{.Names}} {{.State}}',
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', state = ''] = line.split(' ');
      return { name, state };
    });
}

export async function dockerKill(container: string): Promise<void> {
  await run('docker', ['kill', container]);
}

/** Removes whatever a failed run left of `servers` (containers and their volumes). */
export async function wipe(servers: string[]): Promise<void> {
  for (const server of servers) {
    for (const c of await containersOf(server).catch(() => [])) {
      await run('docker', ['rm', '-f', '-v', c.name]).catch(() => undefined);
    }
  }
}
