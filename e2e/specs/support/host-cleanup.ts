/**
 * Removes what a deploy of a server left on the testbed host, whether the spec finished or failed:
 * its containers (with their anonymous volumes), its labelled named volumes, and its instance folders
 * under the SSH user's ~/.mcp-fleet/instances (env, members and TLS files).
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { LABELS } from '../../../src-main/services/instance-spec/constants';
import { containerName } from '../../../src-main/services/instance-spec/names';

const run = promisify(execFile);

async function lines(cmd: string, args: string[]): Promise<string[]> {
  const { stdout } = await run(cmd, args).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean);
}

/** Never throws: a cleanup that fails half-way still tries the rest. */
export async function wipeDeployed(servers: string[], sshUser: string): Promise<void> {
  const instancesDir = posix.join('/home', sshUser, '.mcp-fleet', 'instances');
  const folders = await readdir(instancesDir).catch(() => [] as string[]);
  for (const server of servers) {
    const label = `label=${LABELS.server}=${server}`;
    const containers = await lines('docker', ['ps', '-a', '--filter', label, '--format', '{{.Names}}']);
    if (containers.length > 0) await run('docker', ['rm', '-f', '-v', ...containers]).catch(() => undefined);
    const volumes = await lines('docker', ['volume', 'ls', '-q', '--filter', label]);
    if (volumes.length > 0) await run('docker', ['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
    const shared = containerName(server, null);
    for (const folder of folders.filter((f) => f === shared || f.startsWith(`${shared}-`))) {
      await rm(posix.join(instancesDir, folder), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
