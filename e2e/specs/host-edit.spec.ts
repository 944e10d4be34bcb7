/**
 * Editing a host in web mode against real sshds: bad input is refused in the form, a wrong password is
 * refused by the host and saves nothing, a move to an sshd with another host key shows that key's
 * fingerprint, and the Accept button pins exactly it.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { readTestbed, TESTBED_MISSING_REASON } from '../fixtures/env';
import { AppShell } from '../pages/app-shell';
import { HostEditForm } from '../pages/host-edit-form';
import { HostsPage } from '../pages/hosts-page';
import { startPrivateSshd, type PrivateSshd } from '../../src-main/test-support/private-sshd';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const run = promisify(execFile);
const PASSPHRASE = 'e2e host edit passphrase';

/** The host key fingerprint an sshd presents, as OpenSSH's own tools read it. */
async function fingerprintAt(port: number): Promise<string> {
  const { stdout: keys } = await run('ssh-keyscan', ['-t', 'ed25519', '-p', String(port), '127.0.0.1']);
  const listed = spawnSync('ssh-keygen', ['-l', '-f', '-'], { input: keys, encoding: 'utf8' });
  const fp = /(SHA256:\S+)/.exec(listed.stdout)?.[1];
  if (!fp) throw new Error(`no fingerprint for port ${port}: ${listed.stderr}`);
  return fp;
}

/** `mcp-fleet hosts add` without blocking the worker, so a timeout still reaches afterEach. */
function addHost(
  home: string,
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('npx', ['--no-install', 'mcp-fleet', '--home', home, 'hosts', 'add', ...args], {
    env: { ...process.env, MCP_FLEET_PASSPHRASE: PASSPHRASE },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((done) => child.once('close', (code) => done({ code, stderr })));
}

// Cleaned up in afterEach, which runs even when the test times out (a finally block would not).
let home: string | undefined;
let web: Served | undefined;
let other: PrivateSshd | undefined;

test.afterEach(async () => {
  await web?.stop();
  await other?.dispose();
  if (home !== undefined) removeHome(home);
  [home, web, other] = [undefined, undefined, undefined];
});

test('edits a host: bad input and a wrong password save nothing; a new host key is shown and accepted', async ({
  page,
}) => {
  // Two CLI starts (add, serve) and three trial logins; a loaded machine needs more than the default.
  test.setTimeout(5 * 60_000);
  const tb = readTestbed();
  test.skip(!tb, TESTBED_MISSING_REASON);
  if (!tb) return;
  home = freshHome();
  const added = await addHost(
    home,
    [
      'lab',
      '--ssh',
      `${tb.ssh.username}@${tb.ssh.host}:${tb.ssh.port}`,
      '--password-stdin',
      '--host-key',
      tb.ssh.hostKeySha256,
    ],
    `${tb.ssh.password}\n`,
  );
  expect(added.code, added.stderr).toBe(0);
  other = await startPrivateSshd(tb);
  const offered = await fingerprintAt(other.port);
  expect(offered).not.toBe(tb.ssh.hostKeySha256);

  web = await startServe(home, { passphrase: PASSPHRASE });
  const shell = new AppShell(page);
  const hosts = new HostsPage(page);
  const edit = new HostEditForm(page);
  await page.goto(web.loginUrl);
  await shell.waitState('loaded');
  await shell.open('hosts');
  const row = hosts.row('lab');
  await expect(row).toContainText(`:${tb.ssh.port}`);
  await expect(row).toContainText(tb.ssh.hostKeySha256);

  // Bad input: refused in the form, before any request.
  await edit.open('lab');
  await edit.field('port').fill('99999');
  await edit.save();
  await expect(edit.fieldError('lab', 'port')).toContainText('Port must be at most 65535');
  await expect(edit.error).toHaveCount(0);

  // A wrong password: the host refuses the login; nothing is saved.
  await edit.field('port').fill(String(tb.ssh.port));
  await edit.chooseLogin('password');
  await edit.field('password').fill('not-the-password-e2e');
  await edit.save();
  await expect(edit.error).toContainText('login refused');
  await expect(edit.error).toContainText('nothing was saved');
  await expect(edit.error).not.toContainText('not-the-password-e2e');
  await expect(edit.accept).toHaveCount(0);

  // Moved to an sshd with another key: refused, that key's fingerprint shown, then accepted explicitly.
  await edit.chooseLogin('keep');
  await edit.field('port').fill(String(other.port));
  await edit.save();
  await expect(edit.error).toContainText(`offered ${offered}`);
  await expect(edit.error).toContainText('nothing was saved');
  await expect(row).toContainText(`:${tb.ssh.port}`);
  await expect(row).toContainText(tb.ssh.hostKeySha256);
  await expect(edit.accept).toContainText(offered);
  await edit.accept.click();
  await expect(edit.done('lab')).toContainText('Saved: port, hostKey (the new settings logged in)');
  await expect(edit.form).toHaveCount(0);
  await expect(row).toContainText(`:${other.port}`);
  await expect(row).toContainText(offered);
});
