// Property: for any server definition — hostile arguments, env values, tool names and folder names,
// with or without TLS files (PEM with hostile text around it, a line equal to the here-document
// delimiter, no final newline), with or without a reach (bind mounts of hostile host paths, named
// volumes, networks, extra hosts, as the shared rules accept them) — the docker-run export, run by a
// real bash and a real dash with a fake `docker` on PATH that records its argv, invokes docker with
// exactly toDockerRunArgv(spec) (as `docker create`, the network connects and `docker start` when the
// instance joins networks) and writes exactly the intended files; a missing network stops it before
// anything is written, a failed connect removes the half-made container.
// Real parts: /bin/bash, /bin/dash, coreutils (cat, mkdir, chmod, base64, grep). Seeded: set
// PROPERTY_SEED to replay a run; PROPERTY_CASES to change the count.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseEnvFile } from '../../../src-bridge/child/env-file';
import { Name } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { EMPTY_REACH, reachProblem, type MountSpec, type ServerReach } from '../../shared/server-mounts';
import { LABELS, SECRETS_FILE_NAME } from '../instance-spec/constants';
import { buildInstanceSpec } from '../instance-spec/instance-spec';
import { containerName } from '../instance-spec/names';
import { memberRecord, serverRecord } from '../../test-support/records';
import { toDockerRunArgv } from '../instance-spec/render-docker';
import type { InstanceSpec, TlsMaterial } from '../instance-spec/types';
import type { EnvEntry, MemberRecord, ServerRecord } from '../store/types';
import { renderDockerRunScript, TLS_KEY_SOURCE_NAME, type ImageBuild } from './docker-run-script';
import { makeTestCa, type TestCa } from '../../test-support/tls';
import {
  chance,
  envKey,
  forbiddenName,
  hostileDirPart,
  hostileWord,
  int,
  pick,
  seededRng,
  validName,
  type Rng,
} from './hostile.fixture';

const run = promisify(execFile);
const SEED = Number(process.env.PROPERTY_SEED ?? 20260801);
// 400 cases keep the suite near a minute in CI; PROPERTY_CASES=5000 is the deeper run before a release.
const CASES = Number(process.env.PROPERTY_CASES ?? 400);
const SHELLS = ['/bin/bash', '/bin/dash'] as const;

// Records each call as: argc NUL word NUL word NUL ...; answers as the case's variables say.
const FAKE_DOCKER = `#!/bin/sh
printf '%s\\0' "$#" "$@" >> "$FAKE_DOCKER_LOG"
case "$1" in
  image) [ "$FAKE_IMAGE_PRESENT" = 1 ] && exit 0; exit 1 ;;
  build) cat > "$FAKE_DOCKER_LOG.build"; exit 0 ;;
  inspect) [ -n "$FAKE_RUNNING_HASH" ] && { printf '%s\\n' "$FAKE_RUNNING_HASH"; exit 0; }; exit 1 ;;
  network)
    [ "$2" = inspect ] && [ "$3" = "$FAKE_MISSING_NETWORK" ] && exit 1
    [ "$2" = connect ] && [ "$3" = "$FAKE_CONNECT_FAILS" ] && exit 1
    exit 0 ;;
  *) exit 0 ;;
esac
`;

interface Case {
  index: number;
  dir: string;
  spec: InstanceSpec;
  script: string;
  build: ImageBuild | null;
  inlineSecrets: boolean;
  imagePresent: boolean;
  /** Config hash the fake reports for an existing container ('' when none). */
  runningHash: string;
  /** By reference, with the operator's secrets.env written beforehand (false: it is missing). */
  secretsProvided: boolean;
  /** By reference, with the operator's TLS key file written beforehand (false: it is missing). */
  keyProvided: boolean;
  /** No TLS: leftover tls.crt and tls.key from an earlier definition are planted first. */
  staleTls: boolean;
  /** A network of the reach the fake says does not exist ('' for none). */
  missingNetwork: string;
  /** A network of the reach whose `docker network connect` the fake fails ('' for none). */
  connectFails: string;
}

/** A real CA-signed leaf and key (openssl), which the cases wrap in hostile text. */
let realTls: TlsMaterial | undefined;

/** PEM as a file may hold it: hostile explanatory text around the block, sometimes no final newline. */
function pem(rng: Rng, block: string): string {
  const text = () => Array.from({ length: int(rng, 0, 2) }, () => hostileWord(rng).replace(/\n/g, ' '));
  const lines = [
    ...text(),
    ...(chance(rng, 0.2) ? ['MCP_FLEET_EOF'] : []),
    ...block.trimEnd().split('\n'),
    ...text(),
  ];
  return lines.join('\n') + (chance(rng, 0.8) ? '\n' : '');
}

function tlsMaterial(rng: Rng): TlsMaterial | null {
  if (chance(rng, 0.4)) return null;
  assert.ok(realTls, 'the TLS material is made before the cases');
  return { certPem: pem(rng, realTls.certPem), keyPem: pem(rng, realTls.keyPem) };
}

const byReferenceEnv = (c: Case) => !c.inlineSecrets && c.spec.files.env.secretKeys.length > 0;
const byReferenceKey = (c: Case) => !c.inlineSecrets && c.spec.files.tls !== null;
/** The script stops before the prepare container when an operator's file is missing. */
const stops = (c: Case) => (byReferenceEnv(c) && !c.secretsProvided) || (byReferenceKey(c) && !c.keyProvided);

/** What a resource pattern may hold (members-file.ts): no spaces, commas, control characters or lone halves of a pair. */
function patternSafe(text: string): string {
  return [...text]
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return (
        code > 0x20 && !(code >= 0x7f && code <= 0x9f) && c !== ',' && !(code >= 0xd800 && code <= 0xdfff)
      );
    })
    .join('');
}

function members(rng: Rng): MemberRecord[] {
  const names = new Set<string>();
  const count = int(rng, 1, 3);
  while (names.size < count) names.add(validName(rng));
  // Tool names follow the shared rule (members-file.ts), so they are picked from odd but valid ones;
  // resource patterns may hold any printable character but spaces and commas, so they carry the
  // shell's special characters into the members file.
  const tools = ['read_*', 'a.b/c:d-e', '*x*', '_', 'T'];
  return [...names].map((name) => ({
    ...memberRecord(
      name,
      chance(rng, 0.5)
        ? ['*']
        : Array.from({ length: int(rng, 1, 3) }, () => tools[int(rng, 0, tools.length - 1)] as string),
    ),
    resources: chance(rng, 0.5) ? ['*'] : [`file:///${patternSafe(hostileWord(rng)) || 'x'}*`],
  }));
}

function env(rng: Rng): EnvEntry[] {
  const keys = new Set<string>();
  const count = int(rng, 0, 5);
  while (keys.size < count) keys.add(envKey(rng));
  return [...keys].map((key) => ({ key, value: hostileWord(rng), secret: chance(rng, 0.5) }));
}

function server(rng: Rng): {
  record: ServerRecord;
  imageConfig?: { entrypoint: string[]; cmd: string[]; workingDir: string; env: string[] };
} {
  const kind = pick(rng, ['npx', 'uvx', 'command', 'image'] as const);
  const args = Array.from({ length: int(rng, 0, 5) }, () => hostileWord(rng));
  const base = {
    name: validName(rng),
    args,
    env: env(rng),
    mode: pick(rng, ['shared', 'dedicated'] as const),
    port: null,
    reach: reach(rng),
  };
  switch (kind) {
    case 'npx':
      return {
        record: serverRecord({
          ...base,
          sourceKind: 'npx',
          sourceValue: pick(rng, ['@scope/pkg-a@1.2.3', 'pkg.b@0.0.1-rc.1', 'x@latest']),
        }),
      };
    case 'uvx':
      return {
        record: serverRecord({
          ...base,
          sourceKind: 'uvx',
          sourceValue: pick(rng, ['mcp-server-fetch', 'pkg[extra]==1.0', 'a_b@2']),
        }),
      };
    case 'command':
      return {
        record: serverRecord({
          ...base,
          sourceKind: 'command',
          sourceValue: hostileWord(rng).replace(/[\r\n]/g, ' ') || 'srv',
        }),
      };
    case 'image':
      return {
        record: serverRecord({
          ...base,
          sourceKind: 'image',
          sourceValue: pick(rng, [
            'ghcr.io/acme/mcp:1.2',
            'mcp/x',
            'localhost:5000/a/b@sha256:' + 'a'.repeat(64),
          ]),
        }),
        imageConfig: {
          entrypoint: chance(rng, 0.7) ? [hostileWord(rng) || '/srv'] : [],
          cmd: ['run', hostileWord(rng)],
          workingDir: pick(rng, ['', '/app', '/srv/ a$(b)']),
          env: [`IMG_${int(rng, 0, 9)}=${hostileWord(rng).replace(/\n/g, '')}`],
        },
      };
  }
}

/** A folder name the shared rules take: any hostile text but ",", ":", "/", line breaks; not "." or "..". */
function hostilePathPart(rng: Rng): string {
  const word = hostileWord(rng).replace(/[,:/\r\n]/g, '_');
  return word === '' || word === '.' || word === '..' ? `p${int(rng, 0, 99)}` : word;
}

function hostilePath(rng: Rng, prefix: string): string {
  return `${prefix}/${Array.from({ length: int(rng, 1, 3) }, () => hostilePathPart(rng)).join('/')}`;
}

/** A reach the shared rules accept (half the cases have none). Targets sit under /reach, clear of the instance's own paths. */
function reach(rng: Rng): ServerReach {
  if (chance(rng, 0.5)) return EMPTY_REACH;
  const mounts: MountSpec[] = Array.from({ length: int(rng, 0, 4) }, (_, i) => {
    const target = hostilePath(rng, `/reach/${i}`);
    return chance(rng, 0.6)
      ? { kind: 'bind', source: hostilePath(rng, ''), target, readOnly: chance(rng, 0.7) }
      : {
          kind: 'volume',
          source: validName(rng),
          target,
          readOnly: chance(rng, 0.3),
          shared: chance(rng, 0.5),
        };
  });
  const networks = new Set<string>();
  const networkCount = int(rng, 0, 3);
  while (networks.size < networkCount) networks.add(`n${validName(rng)}`);
  const hostNames = ['db', 'db.internal', 'a-1.example.org', 'X9', 'cache.local'];
  const ips = ['10.1.2.3', '192.168.0.254', '::1', 'fd00::7', '2001:db8:0:0:0:0:0:1'];
  const extraHosts = hostNames.filter(() => chance(rng, 0.3)).map((name) => ({ name, ip: pick(rng, ips) }));
  const value: ServerReach = { mounts, networks: [...networks], extraHosts, allowDockerSocket: false };
  assert.equal(reachProblem(value), null, 'the generator makes only reaches the shared rules accept');
  return value;
}

function bytes(rng: Rng, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => int(rng, 0, 255)));
}

/** The same seed gives the same cases under any root (only the folders differ). */
function generateCases(root: string): Case[] {
  const rng = seededRng(SEED);
  return Array.from({ length: CASES }, (_, i) => makeCase(rng, i, root));
}

function makeCase(rng: Rng, index: number, root: string): Case {
  const { record, imageConfig } = server(rng);
  const all = members(rng);
  const dir = path.join(root, `case-${index}`, hostileDirPart(rng), hostileDirPart(rng));
  const spec = buildInstanceSpec({
    server: record,
    members: record.mode === 'dedicated' ? [all[0] as MemberRecord] : all,
    image: `mcp-fleet/runtime:${bytes(rng, 8).toString('hex')}`,
    ...(imageConfig ? { imageConfig } : {}),
    port: int(rng, 1, 65535),
    publishAddress: pick(rng, ['', '127.0.0.1', '::1', '10.1.2.3']),
    configDir: dir,
    allowCidrs: Array.from({ length: int(rng, 0, 2) }, () =>
      pick(rng, ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']),
    ),
    ...(chance(rng, 0.2)
      ? { limits: { memoryBytes: int(rng, 64, 4096) * 1024 * 1024, nanoCpus: int(rng, 1, 40) * 50_000_000 } }
      : {}),
    tls: tlsMaterial(rng),
  });
  const build: ImageBuild | null = chance(rng, 0.3)
    ? {
        tag: spec.container.image,
        contextTarGz: bytes(rng, int(rng, 0, 3000)),
        buildArgs: { BASE_IMAGE: hostileWord(rng) || 'node:22', NPM_PACKAGE: hostileWord(rng) },
        target: pick(rng, ['runtime', 'runtime-uv']),
        pull: record.sourceKind === 'image' ? record.sourceValue : null,
      }
    : null;
  const inlineSecrets = chance(rng, 0.5);
  const networks = spec.container.extraNetworks;
  return {
    index,
    dir,
    spec,
    script: renderDockerRunScript({
      specs: [spec],
      build,
      inlineSecrets,
      title: `case ${index}: ${hostileWord(rng)}`,
    }),
    build,
    inlineSecrets,
    imagePresent: chance(rng, 0.5),
    runningHash: chance(rng, 0.15) ? spec.configHash : chance(rng, 0.1) ? 'f'.repeat(64) : '',
    secretsProvided: chance(rng, 0.93),
    keyProvided: chance(rng, 0.93),
    staleTls: spec.files.tls === null && chance(rng, 0.3),
    missingNetwork: networks.length > 0 && chance(rng, 0.15) ? pick(rng, networks) : '',
    connectFails: networks.length > 0 && chance(rng, 0.15) ? pick(rng, networks) : '',
  };
}

/** The calls a case must make, built here from the spec, independently of the script's text. */
function expectedCalls(c: Case): string[][] {
  const calls: string[][] = [];
  const networks = c.spec.container.extraNetworks;
  for (const network of networks) {
    calls.push(['network', 'inspect', network]);
    if (network === c.missingNetwork) return calls;
  }
  const build = c.build;
  if (build !== null) {
    calls.push(['image', 'inspect', build.tag]);
    if (!c.imagePresent) {
      if (build.pull !== null) calls.push(['image', 'inspect', build.pull], ['pull', build.pull]);
      const buildArgs = Object.entries(build.buildArgs)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
      calls.push([
        'build',
        '--tag',
        build.tag,
        '--label',
        'org.mcp-fleet.runtime=1',
        '--target',
        build.target,
        ...buildArgs,
        '-',
      ]);
    }
  }
  if (stops(c)) return calls;
  const name = c.spec.container.name ?? '';
  calls.push(toDockerRunArgv(c.spec.prepare));
  calls.push([
    'inspect',
    '--type',
    'container',
    '--format',
    `{{index .Config.Labels "${LABELS.configHash}"}}`,
    name,
  ]);
  if (c.runningHash === c.spec.configHash) {
    calls.push(['start', name]);
    return calls;
  }
  calls.push(['rm', '--force', name]);
  const runArgv = toDockerRunArgv(c.spec.container);
  if (networks.length === 0) {
    calls.push(runArgv);
    return calls;
  }
  assert.deepEqual(runArgv.slice(0, 2), ['run', '--detach']);
  calls.push(['create', ...runArgv.slice(2)]);
  for (const network of networks) {
    calls.push(['network', 'connect', network, name]);
    if (network === c.connectFails) {
      calls.push(['rm', '--force', name]);
      return calls;
    }
  }
  calls.push(['start', name]);
  return calls;
}

/** The script stops at the start when a network is missing, before any file is written. */
const missesNetwork = (c: Case) => c.missingNetwork !== '';
/** A connect fails only for a container made anew (a matching one is only started). */
const connectFailed = (c: Case) =>
  c.connectFails !== '' && !missesNetwork(c) && !stops(c) && c.runningHash !== c.spec.configHash;

function parseCalls(log: Buffer): string[][] {
  const words = log.toString('utf8').split('\0');
  words.pop();
  const calls: string[][] = [];
  for (let i = 0; i < words.length;) {
    const count = Number(words[i]);
    calls.push(words.slice(i + 1, i + 1 + count));
    i += 1 + count;
  }
  return calls;
}

const q = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

describe('docker-run export under bash and dash (fake docker recording argv)', () => {
  let root = '';
  let fakeBin = '';
  let rejectedNames = 0;

  let ca: TestCa | undefined;

  before(async () => {
    ca = await makeTestCa();
    realTls = ca.leaf;
    root = await mkdtemp(path.join(os.tmpdir(), 'docker-run-property-'));
    fakeBin = path.join(root, 'bin');
    await mkdir(fakeBin);
    await writeFile(path.join(fakeBin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
    const rng = seededRng(SEED + 1);
    // Names Docker forbids never reach a spec: the contract and containerName refuse them.
    for (let i = 0; i < 500; i += 1) {
      const bad = forbiddenName(rng);
      if (Name.safeParse(bad).success) continue;
      assert.throws(() => containerName(bad, null), FleetError, JSON.stringify(bad));
      rejectedNames += 1;
    }
  });

  after(async () => {
    await ca?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  for (const shell of SHELLS) {
    it(`${shell}: every call's argv equals toDockerRunArgv and every file its intended content`, async (t) => {
      const started = process.hrtime.bigint();
      const runRoot = path.join(root, path.basename(shell));
      const cases = generateCases(path.join(runRoot, 'dirs'));
      const lines: string[] = [];
      for (const c of cases) {
        const caseDir = path.join(runRoot, String(c.index));
        const spec = c.spec;
        await mkdir(caseDir, { recursive: true });
        await mkdir(spec.configDir, { recursive: true });
        if (byReferenceEnv(c) && c.secretsProvided) {
          const secretLines = spec.files.env.content.slice(spec.files.env.plainContent.length);
          await writeFile(path.join(spec.configDir, SECRETS_FILE_NAME), secretLines);
        }
        if (byReferenceKey(c) && c.keyProvided) {
          await writeFile(path.join(spec.configDir, TLS_KEY_SOURCE_NAME), spec.files.tls?.key.content ?? '');
        }
        if (c.staleTls) {
          for (const file of ['tls.crt', 'tls.key'])
            await writeFile(path.join(spec.configDir, file), 'stale\n', { mode: 0o600 });
        }
        lines.push(
          `FAKE_DOCKER_LOG=${q(path.join(caseDir, 'calls'))}; export FAKE_DOCKER_LOG`,
          `FAKE_IMAGE_PRESENT=${c.imagePresent ? 1 : 0}; export FAKE_IMAGE_PRESENT`,
          `FAKE_RUNNING_HASH=${q(c.runningHash)}; export FAKE_RUNNING_HASH`,
          `FAKE_MISSING_NETWORK=${q(c.missingNetwork)}; export FAKE_MISSING_NETWORK`,
          `FAKE_CONNECT_FAILS=${q(c.connectFails)}; export FAKE_CONNECT_FAILS`,
          c.script.trimEnd(),
          `echo "$?" > ${q(path.join(caseDir, 'rc'))}`,
        );
      }
      const batch = path.join(runRoot, 'batch.sh');
      await writeFile(batch, lines.join('\n') + '\n');
      await run(shell, [batch], {
        env: { PATH: `${fakeBin}:/usr/bin:/bin`, HOME: root, LC_ALL: 'C.UTF-8' },
        maxBuffer: 64 * 1024 * 1024,
      });

      let mismatches = 0;
      let withNetworks = 0;
      let missing = 0;
      let failedConnects = 0;
      for (const c of cases) {
        const caseDir = path.join(runRoot, String(c.index));
        const spec = c.spec;
        const rc = Number((await readFile(path.join(caseDir, 'rc'), 'utf8')).trim());
        const calls = parseCalls(await readFile(path.join(caseDir, 'calls')).catch(() => Buffer.alloc(0)));
        const where = `seed ${SEED} case ${c.index} (${shell})`;
        try {
          assert.deepEqual(calls, expectedCalls(c), `${where}: docker argv`);
          if (missesNetwork(c)) {
            assert.notEqual(rc, 0, `${where}: must stop when a network is missing`);
            await assert.rejects(stat(spec.files.env.hostPath), `${where}: nothing written`);
            missing += 1;
            continue;
          }
          for (const file of c.staleTls ? ['tls.crt', 'tls.key'] : []) {
            await assert.rejects(stat(path.join(spec.configDir, file)), `${where}: stale ${file} removed`);
          }
          if (stops(c)) {
            assert.notEqual(rc, 0, `${where}: must stop without secrets.env or the TLS key`);
            continue;
          }
          if (connectFailed(c)) {
            assert.notEqual(rc, 0, `${where}: must stop when a network connect fails`);
            failedConnects += 1;
          } else assert.equal(rc, 0, `${where}: exit status`);
          if (c.spec.container.extraNetworks.length > 0) withNetworks += 1;
          const envText = await readFile(spec.files.env.hostPath, 'utf8');
          assert.equal(envText, spec.files.env.content, `${where}: env file`);
          assert.equal(
            await readFile(spec.files.members.hostPath, 'utf8'),
            spec.files.members.content,
            `${where}: members file`,
          );
          const tls = spec.files.tls;
          if (tls !== null) {
            assert.equal(await readFile(tls.cert.hostPath, 'utf8'), tls.cert.content, `${where}: tls.crt`);
            assert.equal(await readFile(tls.key.hostPath, 'utf8'), tls.key.content, `${where}: tls.key`);
            // The prepare container hands them to the container user with the other files.
            const prepare = calls.find((call) =>
              call.includes(LABELS.prepare + '=' + (spec.container.name ?? '')),
            );
            for (const file of ['tls.crt', 'tls.key'])
              assert.ok(
                prepare?.includes(`/mcp-fleet/config/${file}`),
                `${where}: prepare hands over ${file}`,
              );
          }
          for (const file of [
            spec.files.env.hostPath,
            spec.files.members.hostPath,
            ...(tls === null ? [] : [tls.cert.hostPath, tls.key.hostPath]),
          ]) {
            assert.equal((await stat(file)).mode & 0o777, 0o600, `${where}: ${file} mode`);
          }
          assert.equal((await stat(spec.configDir)).mode & 0o777, 0o700, `${where}: folder mode`);
          if (c.build !== null && !c.imagePresent) {
            assert.deepEqual(
              await readFile(path.join(caseDir, 'calls.build')),
              c.build.contextTarGz,
              `${where}: build context`,
            );
          }
          const intended = parseEnvFile(spec.files.env.content, 'intended');
          assert.deepEqual(
            parseEnvFile(envText, 'written'),
            intended,
            `${where}: env as the bridge reads it`,
          );
        } catch (err) {
          mismatches += 1;
          if (mismatches <= 3) t.diagnostic(err instanceof Error ? err.message.slice(0, 2000) : String(err));
        }
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      t.diagnostic(
        `${cases.length} cases under ${shell} in ${seconds.toFixed(1)} s, ${mismatches} mismatches, seed ${SEED}; ${rejectedNames} forbidden names rejected; ${withNetworks} ran with networks, ${missing} stopped at a missing network, ${failedConnects} at a failed connect`,
      );
      // The reach paths were exercised, not only generated.
      assert.ok(CASES < 100 || (withNetworks > 10 && missing > 0 && failedConnects > 0));
      assert.equal(mismatches, 0, `${mismatches} of ${cases.length} cases differ (seed ${SEED})`);
    });
  }
});
