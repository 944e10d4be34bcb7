// The TLS row of `npm run bench:bridge`: one bridge bundle started twice, serving plain HTTP and
// HTTPS (--tls-cert/--tls-key, a self-signed P-256 certificate made with openssl), measured in
// alternating rounds with the raw keep-alive client: calls/s, p50, and CPU time per call of the bridge
// process and of the client. Alternating rounds, so a burst of load from other jobs on the machine
// does not land on one scheme only.
import { certificateDir, makeTestCertificate } from '../../src-bridge/test-certificates';
import {
  closeAll,
  CONCURRENT_WARMUP,
  concurrentClients,
  openSessions,
  singleClient,
  type LoadResult,
} from './measure';
import { cpuSeconds, waitForHttp, waitForHttps, type Spawned } from './proc';
import { rawHttpSession, type EchoSession, type TlsTrust } from './sessions';
import { spawnFleetBridge, startTimeoutMs } from './targets';

export type Scheme = 'http' | 'https';
export const SCHEMES: Scheme[] = ['http', 'https'];

export interface TlsSample {
  scheme: Scheme;
  phase: 'single' | 'concurrent';
  round: number;
  load: LoadResult;
  /** CPU of the bridge process (all threads) over the measured calls, per call; the MCP server child excluded. */
  bridgeCpuMsPerCall?: number;
  /** CPU of this benchmark process (the client) per call. */
  clientCpuMsPerCall: number;
}

export interface TlsComparison {
  rounds: number;
  samples: TlsSample[];
  /** Set when the comparison could not run (bundle, openssl, a bridge that did not start). */
  error?: string;
}

interface Sizes {
  warmup: number;
  calls: number;
  clients: number;
  callsEach: number;
}

interface Endpoint {
  pid: number;
  connect(): Promise<EchoSession>;
}

/** Runs work() and charges the CPU both processes used meanwhile to `calls` calls. */
async function metered(
  endpoint: Endpoint,
  calls: number,
  work: () => Promise<LoadResult>,
): Promise<Pick<TlsSample, 'load' | 'bridgeCpuMsPerCall' | 'clientCpuMsPerCall'>> {
  const bridgeBefore = cpuSeconds(endpoint.pid);
  const clientBefore = process.cpuUsage();
  const load = await work();
  const client = process.cpuUsage(clientBefore);
  const bridgeAfter = cpuSeconds(endpoint.pid);
  return {
    load,
    clientCpuMsPerCall: (client.user + client.system) / 1000 / calls,
    ...(bridgeBefore === undefined || bridgeAfter === undefined
      ? {}
      : { bridgeCpuMsPerCall: ((bridgeAfter - bridgeBefore) * 1000) / calls }),
  };
}

async function singleRound(endpoint: Endpoint, sizes: Sizes) {
  const session = await endpoint.connect();
  try {
    // Warm up apart, so the CPU figure counts the measured calls only.
    await singleClient(session, 0, sizes.warmup);
    return await metered(endpoint, sizes.calls, () => singleClient(session, 0, sizes.calls));
  } finally {
    await session.close();
  }
}

async function concurrentRound(endpoint: Endpoint, sizes: Sizes, deadline: number) {
  const sessions = await openSessions(() => endpoint.connect(), sizes.clients, 8, deadline);
  try {
    const calls = sizes.clients * (CONCURRENT_WARMUP + sizes.callsEach);
    return await metered(endpoint, calls, () => concurrentClients(sessions, sizes.callsEach));
  } finally {
    await closeAll(sessions);
  }
}

/** Plain HTTP and HTTPS through the same bridge bundle, `rounds` alternating rounds of each phase. */
export async function tlsComparison(
  bundlePath: string,
  sizes: Sizes,
  rounds: number,
  deadline: number,
): Promise<TlsComparison> {
  const folder = await certificateDir();
  const running: Spawned[] = [];
  try {
    const certificate = await makeTestCertificate(folder.dir, 'bench');
    const plain = await spawnFleetBridge(bundlePath);
    running.push(plain.spawned);
    const secure = await spawnFleetBridge(bundlePath, [
      '--tls-cert',
      certificate.certFile,
      '--tls-key',
      certificate.keyFile,
    ]);
    running.push(secure.spawned);
    await waitForHttp(`http://127.0.0.1:${plain.port}/healthz`, startTimeoutMs, plain.spawned);
    const trust: TlsTrust = { ca: certificate.cert };
    await waitForHttps(`https://127.0.0.1:${secure.port}/healthz`, trust.ca, startTimeoutMs, secure.spawned);
    const endpoints: Record<Scheme, Endpoint> = {
      http: {
        pid: plain.spawned.child.pid ?? 0,
        connect: () =>
          rawHttpSession(`http://127.0.0.1:${plain.port}/mcp`, { authorization: `Bearer ${plain.token}` }),
      },
      https: {
        pid: secure.spawned.child.pid ?? 0,
        connect: () =>
          rawHttpSession(
            `https://127.0.0.1:${secure.port}/mcp`,
            { authorization: `Bearer ${secure.token}` },
            trust,
          ),
      },
    };
    const samples: TlsSample[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      for (const scheme of SCHEMES) {
        if (Date.now() > deadline) throw new Error(`out of time in round ${round}`);
        samples.push({ scheme, phase: 'single', round, ...(await singleRound(endpoints[scheme], sizes)) });
      }
      for (const scheme of SCHEMES) {
        samples.push({
          scheme,
          phase: 'concurrent',
          round,
          ...(await concurrentRound(endpoints[scheme], sizes, deadline)),
        });
      }
    }
    return { rounds, samples };
  } catch (err) {
    return { rounds, samples: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    await Promise.allSettled(running.map((spawned) => spawned.stop()));
    await folder.cleanup();
  }
}
