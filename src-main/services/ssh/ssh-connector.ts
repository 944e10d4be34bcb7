import ssh2 from 'ssh2';
import type { Client, ConnectConfig, ParsedKey } from 'ssh2';
import { FleetError } from '../../shared/errors';
import { describeConnectError, endpointOf } from './connect-errors';
import { sha256Fingerprint } from './fingerprint';

export type SshAuth =
  | { kind: 'password'; password: string }
  | { kind: 'key'; privateKey: string; passphrase: string | null }
  | { kind: 'agent'; socket: string };

/** Where to connect, for messages as much as for the socket. */
export interface SshEndpoint {
  /** The host's name as the operator knows it ("db1"). */
  name: string;
  address: string;
  port: number;
  /** Limit for TCP connect, handshake and login together. */
  readyTimeoutMs: number;
}

export interface SshTarget extends SshEndpoint {
  username: string;
  auth: SshAuth;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Decides on the offered host key ("SHA256:…"): null accepts it, an error refuses the connection. */
  verifyHostKey: (fingerprint: string) => FleetError | null;
}

/** Opens SSH sessions. The registry holds what this returns; tests count what it opened. */
export interface SshConnector {
  /**
   * Resolves with a logged-in client and the host key it accepted. Throws FleetError: unavailable
   * (unreachable, timeout), unauthorized (login refused), invalid_input (unusable key or passphrase),
   * host_key_mismatch (whatever verifyHostKey returned).
   */
  connect(target: SshTarget): Promise<{ client: Client; fingerprint: string }>;
  /** The fingerprint of the host key the server offers, read without logging in. Throws FleetError('unavailable'). */
  hostKey(endpoint: SshEndpoint): Promise<string>;
}

/** The ssh2 connector. `opened` counts TCP connections that reached login, so reuse can be checked. */
export class Ssh2Connector implements SshConnector {
  opened = 0;

  connect(target: SshTarget): Promise<{ client: Client; fingerprint: string }> {
    const auth = authConfig(target);
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let offered = '';
      let refusal: FleetError | null = null;
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        client.end();
        reject(refusal ?? describeConnectError(err, target));
      };
      client
        .once('ready', () => {
          if (settled) return;
          settled = true;
          resolve({ client, fingerprint: offered });
        })
        // Stays attached after ready: a late error (keepalive timeout, reset) must not crash the process.
        .on('error', fail)
        .once('close', () => fail(new Error('the server closed the connection during login')))
        .on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
          // Servers with PAM often ask for the password this way instead of the "password" method.
          finish(prompts.map(() => (target.auth.kind === 'password' ? target.auth.password : '')));
        });
      try {
        client.connect({
          host: target.address,
          port: target.port,
          username: target.username,
          readyTimeout: target.readyTimeoutMs,
          keepaliveInterval: target.keepaliveIntervalMs,
          keepaliveCountMax: target.keepaliveCountMax,
          hostVerifier: (key: Buffer): boolean => {
            offered = sha256Fingerprint(key);
            refusal = target.verifyHostKey(offered);
            return refusal === null;
          },
          ...auth,
        });
        // Small request/response exchanges (a Docker API call is a few hundred bytes each way) would
        // otherwise wait on Nagle's algorithm and delayed ACKs: about 40 ms a round trip on loopback.
        client.setNoDelay(true);
        this.opened += 1;
      } catch (err) {
        fail(err);
      }
    });
  }

  hostKey(endpoint: SshEndpoint): Promise<string> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let fingerprint: string | null = null;
      const done = (): void => {
        client.end();
        if (fingerprint !== null) resolve(fingerprint);
      };
      client
        .on('error', (err) => {
          done();
          if (fingerprint === null) reject(describeConnectError(err, { ...endpoint, username: '' }));
        })
        .once('close', () => {
          done();
          if (fingerprint === null) {
            reject(
              new FleetError(
                'unavailable',
                `cannot reach host "${endpoint.name}" (${endpointOf(endpoint)}): it closed the connection before showing its host key`,
              ),
            );
          }
        });
      client.connect({
        host: endpoint.address,
        port: endpoint.port,
        username: 'fingerprint-probe',
        readyTimeout: endpoint.readyTimeoutMs,
        // Refusing the key ends the handshake before any login is tried: nothing is sent but the key exchange.
        hostVerifier: (key: Buffer): boolean => {
          fingerprint = sha256Fingerprint(key);
          return false;
        },
      });
    });
  }
}

function authConfig(target: SshTarget): Partial<ConnectConfig> {
  const { auth } = target;
  switch (auth.kind) {
    case 'password':
      return { password: auth.password, tryKeyboard: true };
    case 'agent':
      return { agent: auth.socket };
    case 'key': {
      checkKey(target.name, auth.privateKey, auth.passphrase);
      return auth.passphrase === null
        ? { privateKey: auth.privateKey }
        : { privateKey: auth.privateKey, passphrase: auth.passphrase };
    }
    default: {
      const never: never = auth;
      throw new FleetError('internal', `unknown SSH auth ${String(never)}`);
    }
  }
}

/** Tells a wrong passphrase from a missing one or an unreadable key before ssh2 throws its own words. */
function checkKey(name: string, privateKey: string, passphrase: string | null): void {
  // Typed as one key, but ssh2 returns an array for some OpenSSH files (it takes the first itself).
  const parsed: unknown = ssh2.utils.parseKey(privateKey, passphrase ?? undefined);
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error | undefined;
  if (key !== undefined && !(key instanceof Error) && key.isPrivateKey()) return;
  const why = key instanceof Error ? key.message : '';
  if (/encrypted|passphrase|decrypt/i.test(why)) {
    throw new FleetError(
      'invalid_input',
      passphrase === null
        ? `the SSH key stored for "${name}" is encrypted and no passphrase is stored: add the host again with its passphrase`
        : `the passphrase stored for "${name}" does not decrypt its SSH key: add the host again with the right passphrase`,
    );
  }
  throw new FleetError(
    'invalid_input',
    `the SSH key stored for "${name}" is not a private key MCP Fleet can read: add the host again with an OpenSSH or PEM private key`,
  );
}
