// --allow-gateway: the /proc/net/route parser on sample tables, then a real bridge reading a route
// table that names 127.0.0.1 as the gateway, so the test's own loopback connection plays the host.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDefaultGateway, readDefaultGateway } from './gateway';
import { certificateDir } from '../test-certificates';
import { INITIALIZE, MCP_HEADERS, raw, serverCommand, sha256, startTestBridge } from '../test-helpers';

const HEADER =
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       ';

/** A line as the kernel writes it: tab-separated, trailing blanks. */
const route = (iface: string, dest: string, gw: string, flags: string, metric: string, mask: string) =>
  `${iface}\t${dest}\t${gw}\t${flags}\t0\t0\t${metric}\t${mask}\t0\t0\t0                                                                               `;

const DOCKER_BRIDGE = [
  HEADER,
  route('eth0', '00000000', '010011AC', '0003', '0', '00000000'),
  route('eth0', '000011AC', '00000000', '0001', '0', '0000FFFF'),
  '',
].join('\n');

describe('parseDefaultGateway', () => {
  it("reads a Docker bridge network's gateway, little-endian", () => {
    assert.equal(parseDefaultGateway(DOCKER_BRIDGE), '172.17.0.1');
  });

  it('takes the default route with the lowest metric', () => {
    const table = [
      HEADER,
      route('eth1', '00000000', '0101A8C0', '0003', '200', '00000000'),
      route('eth0', '00000000', '01000A0A', '0003', '100', '00000000'),
      route('eth0', '00000A0A', '00000000', '0001', '0', '00FFFFFF'),
    ].join('\n');
    assert.equal(parseDefaultGateway(table), '10.10.0.1');
  });

  it('finds none without a default route, for one without a next hop, or one that is down', () => {
    assert.equal(parseDefaultGateway(HEADER), undefined);
    assert.equal(parseDefaultGateway(''), undefined);
    assert.equal(
      parseDefaultGateway(
        [HEADER, route('eth0', '000011AC', '00000000', '0001', '0', '0000FFFF')].join('\n'),
      ),
      undefined,
    );
    assert.equal(
      parseDefaultGateway([HEADER, route('wg0', '00000000', '00000000', '0001', '0', '00000000')].join('\n')),
      undefined,
    );
    assert.equal(
      parseDefaultGateway(
        [HEADER, route('eth0', '00000000', '010011AC', '0002', '0', '00000000')].join('\n'),
      ),
      undefined,
    );
  });

  it('skips lines it cannot read', () => {
    const table = [HEADER, 'garbage', 'eth0\t00000000\tZZZZZZZZ\t0003', DOCKER_BRIDGE.split('\n')[1]].join(
      '\n',
    );
    assert.equal(parseDefaultGateway(table), '172.17.0.1');
  });

  it('says why when the table cannot be read', () => {
    assert.match(readDefaultGateway('/nonexistent/route').error ?? '', /ENOENT/);
  });
});

describe('bridge --allow-gateway', () => {
  const TOKEN = 'gateway-token-0123456789abcdef';
  let dir: string;
  let cleanup: () => Promise<void>;
  const tables: Record<string, string> = {};
  before(async () => {
    ({ dir, cleanup } = await certificateDir());
    tables.loopback = path.join(dir, 'route-loopback');
    tables.none = path.join(dir, 'route-none');
    tables.docker = path.join(dir, 'route-docker');
    // 0100007F is 127.0.0.1: the test's connections arrive "from the gateway".
    await writeFile(
      tables.loopback,
      [HEADER, route('eth0', '00000000', '0100007F', '0003', '0', '00000000')].join('\n'),
    );
    await writeFile(tables.none, HEADER + '\n');
    await writeFile(tables.docker, DOCKER_BRIDGE);
  });
  after(() => cleanup());

  async function initializeStatus(options: { allowGateway: boolean; routeTablePath: string }) {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      allowCidr: ['10.0.0.0/8'],
      ...options,
    });
    try {
      const res = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(INITIALIZE),
      });
      return { status: res.status, logs: bridge.logs };
    } finally {
      await bridge.close();
    }
  }

  it('admits the default gateway beside --allow-cidr and names it on the listening line', async () => {
    const { status, logs } = await initializeStatus({
      allowGateway: true,
      routeTablePath: tables.loopback ?? '',
    });
    assert.equal(status, 200);
    const listening = JSON.parse(logs.find((l) => l.includes('"event":"listening"')) ?? '{}') as {
      allowGateway: unknown;
    };
    assert.equal(listening.allowGateway, '127.0.0.1');
  });

  it('admits nothing extra without the flag', async () => {
    const { status } = await initializeStatus({ allowGateway: false, routeTablePath: tables.loopback ?? '' });
    assert.equal(status, 403);
  });

  it('warns and admits nothing extra when there is no default route', async () => {
    const { status, logs } = await initializeStatus({
      allowGateway: true,
      routeTablePath: tables.none ?? '',
    });
    assert.equal(status, 403);
    assert.ok(logs.some((l) => l.includes('"event":"allow_gateway_none"') && l.includes('"level":"warn"')));
  });

  it('does not narrow an empty allowlist to the gateway', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      allowGateway: true,
      // 172.17.0.1: were the gateway the only admitted source, this test's request would get 403.
      routeTablePath: tables.docker ?? '',
    });
    try {
      const res = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(INITIALIZE),
      });
      assert.equal(res.status, 200);
      assert.ok(bridge.logs.some((l) => l.includes('"event":"allow_gateway_unused"')));
    } finally {
      await bridge.close();
    }
  });
});
