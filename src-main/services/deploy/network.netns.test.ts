// Integration on a real topology (e2e/fixtures/topology.ts): the operator's CLI, an agent and an
// outsider each in their own network namespace; the host (the testbed's Docker engine, an sshd) at a
// non-loopback address. Real parts throughout: sshd, dockerd, server-everything from node_modules,
// the official MCP SDK client in the agent's namespace, OpenSSH's client for running an export.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import {
  createTopology,
  freePort,
  topologyOrSkip,
  type Namespace,
  type Topology,
} from '../../../e2e/fixtures/topology';
import { httpGetFrom } from '../../../e2e/fixtures/topology-probes';
import type { DeployResult, InstanceView } from '../../shared/contract';
import { installedVersion, repoRoot, testFleet, tokenFrom, type TestFleet } from '../../test-support/fleet';

const BIN = path.join(repoRoot, 'bin', 'mcp-fleet.mjs');
const AGENT = path.join(repoRoot, 'e2e', 'fixtures', 'mcp-agent.mjs');

interface AgentAnswer {
  tools?: string[];
  echo?: string | null;
  error?: string;
  code?: string | null;
}

void describe('a deploy on a real network (namespaces: operator, agent, outsider; host at a LAN address)', () => {
  let net: Topology | undefined;
  let f: TestFleet | undefined;
  let scratch = '';
  const servers: string[] = [];

  before(async (t) => {
    // Skipping in a hook marks the tests skipped: each test then says why it did nothing.
    const skip = t as unknown as { skip(reason: string): void };
    if (!topologyOrSkip(skip)) return;
    f = await testFleet(skip);
    if (!f) return;
    net = await createTopology();
    scratch = mkdtempSync(path.join(tmpdir(), 'fleet-netns-'));
    // The host as the operator adds it: at its LAN address, its host key pinned.
    const login = `${f.tb.ssh.username}@${net.hostAddress}:${net.sshPort}`;
    const r = await op([
      'hosts',
      'add',
      'lan',
      '--ssh',
      login,
      '--key',
      f.tb.ssh.keyPath,
      '--host-key',
      net.sshHostKeySha256,
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    if (f) await f.wipe(servers);
    await net?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The CLI as the operator runs it: in the operator's namespace, reaching the host over the LAN. */
  async function op(args: string[], input = '', env: NodeJS.ProcessEnv = {}) {
    const fleet = f as TestFleet;
    return (net as Topology).operator.run(process.execPath, [BIN, '--home', fleet.home, ...args], {
      input,
      env: { ...fleet.env, ...env },
      timeoutMs: 240_000,
    });
  }

  async function opJson<T>(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<T> {
    const r = await op(['--json', ...args], input, env);
    assert.equal(r.code, 0, `mcp-fleet ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** A Shared server-everything at the version in node_modules with one member, agent-a. */
  async function sharedServer(server: string, extra: string[]): Promise<{ server: string; token: string }> {
    servers.push(server);
    const version = installedVersion('@modelcontextprotocol/server-everything');
    const source = `@modelcontextprotocol/server-everything@${version}`;
    let r = await op(['servers', 'add', server, '--npx', source, '--mode', 'shared', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    r = await op(['members', 'add', server, 'agent-a']);
    assert.equal(r.code, 0, r.stderr);
    return { server, token: tokenFrom(r.stdout) };
  }

  async function agentCall(ns: Namespace, url: string, token: string, ca: string | null) {
    const r = await ns.run(process.execPath, [AGENT, url], {
      env: {
        MCP_AGENT_TOKEN: token,
        MCP_AGENT_ECHO: 'hello from the agent',
        NODE_EXTRA_CA_CERTS: ca ?? '',
      },
      timeoutMs: 60_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    assert.ok(line.startsWith('{'), `the agent printed no answer: ${r.stderr}`);
    return JSON.parse(line) as AgentAnswer;
  }

  void it('locks a Shared server to the agents, serves it over HTTPS, and renews its certificate', async (t) => {
    if (!net || !f) return t.skip('no topology here');
    const { server, token } = await sharedServer(`net-${f.run}`, []);

    // A short-lived first certificate, so that the redeploy below must renew it.
    const first = await opJson<DeployResult>(
      ['deploy', server, '--host', 'lan', '--allow-cidr', net.agent.cidr],
      '',
      { MCP_FLEET_TLS_LEAF_DAYS: '1' },
    );
    const inst = first.instances[0];
    assert.equal(inst?.action, 'created', 'the connection test passed through the host, locked or not');
    const url = inst.url ?? '';
    assert.match(url, new RegExp(`^https://${net.hostAddress.replaceAll('.', '\\.')}:\\d+/mcp$`));
    const port = Number(new URL(url).port);

    const caFile = path.join(scratch, 'fleet-ca.pem');
    const ca = await op(['tls', 'ca', '--out', caFile]);
    assert.equal(ca.code, 0, ca.stderr);

    // The agent, trusting the fleet CA, lists and calls tools over https.
    const ok = await agentCall(net.agent, url, token, caFile);
    assert.equal(ok.error, undefined, `the agent's call failed: ${ok.error}`);
    assert.ok(ok.tools?.includes('echo'));
    assert.match(ok.echo ?? '', /hello from the agent/);

    // The same client without the CA refuses the certificate.
    const untrusted = await agentCall(net.agent, url, token, null);
    assert.equal(untrusted.tools, undefined);
    assert.match(
      `${untrusted.code ?? ''} ${untrusted.error ?? ''}`,
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed|certificate|fetch failed/i,
    );

    // The outsider, with the CA and a valid token, is refused by the allowlist.
    const outsider = await agentCall(net.outsider, url, token, caFile);
    assert.equal(outsider.tools, undefined);
    assert.match(outsider.error ?? '', /403|forbidden/i);

    // Plain HTTP to the port with a valid token never gets an MCP answer.
    const plain = await httpGetFrom(net.agent, net.hostAddress, port);
    if (plain.kind === 'answer') {
      assert.doesNotMatch(plain.body, /jsonrpc|serverInfo/);
      assert.equal(plain.status, 0, 'an HTTP status line came back from a TLS port');
    }

    // The monitor, from the operator's machine, sees it healthy through the same road.
    const health = await opJson<{ instances: { containerName: string; state: string }[] }>(['health']);
    assert.equal(health.instances.find((i) => i.containerName === inst.name)?.state, 'healthy');

    // Renewal: the 1-day certificate is within its renewal window, so a redeploy issues a new one.
    const before = await instanceTls(inst.name);
    const second = await opJson<DeployResult>(['deploy', server, '--host', 'lan']);
    assert.equal(second.instances[0]?.action, 'replaced');
    const afterTls = await instanceTls(inst.name);
    assert.ok(Date.parse(afterTls) - Date.parse(before) > 80 * 86_400_000, `${before} → ${afterTls}`);
    const again = await agentCall(net.agent, url, token, caFile);
    assert.equal(again.error, undefined, `the agent's call after renewal failed: ${again.error}`);
    assert.match(again.echo ?? '', /hello from the agent/);
    assert.ok(new X509Certificate(await served(url)).validToDate.getTime() > Date.now() + 80 * 86_400_000);
  });

  void it('deploys a server published on the host loopback only, which the app still reaches', async (t) => {
    if (!net || !f) return t.skip('no topology here');
    const { server } = await sharedServer(`lo-${f.run}`, []);
    const result = await opJson<DeployResult>(['deploy', server, '--host', 'lan', '--publish', '127.0.0.1']);
    assert.equal(result.instances[0]?.action, 'created');
    assert.ok((result.instances[0]?.tools ?? []).includes('echo'));
    const port = Number(new URL(result.instances[0]?.url ?? '').port);
    // Nobody but the host reaches it.
    const probe = await httpGetFrom(net.agent, net.hostAddress, port);
    assert.notEqual(probe.kind, 'answer');
  });

  void it('runs the exported docker-run script on the host; the agent reaches it over https, the outsider not', async (t) => {
    if (!net || !f) return t.skip('no topology here');
    const tb = f.tb;
    const port = await freePort(net.hostAddress);
    const { server, token } = await sharedServer(`exp-${f.run}`, ['--port', String(port)]);
    const script = path.join(scratch, `${server}.sh`);
    let r = await op([
      ...['export', server, '--format', 'docker-run', '--host', 'lan', '--inline-secrets'],
      ...['--allow-cidr', net.agent.cidr, '--out', script],
    ]);
    assert.equal(r.code, 0, r.stderr);

    // The operator pastes it into an SSH session on the host, from the operator's machine.
    const known = path.join(scratch, 'known_hosts');
    const ran = await net.operator.run(
      'sh',
      [
        '-c',
        'ssh -i "$1" -p "$2" -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$3" "$4" sh -s < "$5"',
        'sh',
        tb.ssh.keyPath,
        String(net.sshPort),
        known,
        `${tb.ssh.username}@${net.hostAddress}`,
        script,
      ],
      { timeoutMs: 240_000 },
    );
    assert.equal(ran.code, 0, `the exported script failed on the host: ${ran.stderr.slice(-2000)}`);

    const caFile = path.join(scratch, 'fleet-ca.pem');
    r = await op(['tls', 'ca', '--out', caFile]);
    assert.equal(r.code, 0, r.stderr);
    const url = `https://${net.hostAddress}:${port}/mcp`;
    const ok = await agentCall(net.agent, url, token, caFile);
    assert.equal(ok.error, undefined, `the agent's call failed: ${ok.error}`);
    assert.match(ok.echo ?? '', /hello from the agent/);
    const outsider = await agentCall(net.outsider, url, token, caFile);
    assert.match(outsider.error ?? '', /403|forbidden/i);
  });

  async function instanceTls(name: string): Promise<string> {
    const rows = await opJson<InstanceView[]>(['instances', 'list']);
    const row = rows.find((x) => x.name === name);
    assert.equal(row?.tls?.kind, 'fleet');
    assert.ok(row.tls.notAfter);
    return row.tls.notAfter;
  }

  /** The certificate the port serves, as the agent sees it. */
  async function served(url: string): Promise<string> {
    const { hostname, port } = new URL(url);
    const script = `const s=require('node:tls').connect({host:'${hostname}',port:${port},rejectUnauthorized:false},()=>{console.log(s.getPeerX509Certificate().toString());s.end()});`;
    const r = await (net as Topology).agent.run(process.execPath, ['-e', script], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }
});
