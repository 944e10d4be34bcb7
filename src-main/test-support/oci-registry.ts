/**
 * A minimal OCI Distribution registry on loopback, for push and pull tests without any registry image
 * (nothing can be pulled here). It speaks what a Docker engine uses: the `/v2/` ping; blob HEAD and GET;
 * uploads started by POST (monolithic with `?digest=`, or a session), filled by PATCH (streamed or in
 * `Content-Range` chunks) and closed by PUT `?digest=` (with or without a last chunk), each checked
 * against its digest; a cross-repository mount of a blob it has (else a plain upload, as the spec
 * allows); manifests put, got and headed by tag or digest. Blobs live in memory. With `auth`, every
 * request needs that basic-auth user and password, else 401 with a Basic challenge.
 * Docker treats 127.0.0.0/8 registries as insecure (plain HTTP) by default, so the engine of the
 * testbed (the machine's own dockerd) pushes to it as it is.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OciRegistry {
  /** `127.0.0.1:PORT`, as an image reference's registry part. */
  host: string;
  port: number;
  /** Manifests by repository, then by tag and by digest. */
  manifests: Map<string, Map<string, StoredManifest>>;
  blobs: Map<string, Buffer>;
  /** Every request as "METHOD path" (no query), for assertions on the flow. */
  requests: string[];
  close(): Promise<void>;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

export interface OciRegistryOptions {
  auth?: { username: string; password: string };
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
}

/** Starts the registry on 127.0.0.1 at a random port. */
export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const manifests = new Map<string, Map<string, StoredManifest>>();
  const blobs = new Map<string, Buffer>();
  const uploads = new Map<string, Buffer[]>();
  const requests: string[] = [];
  const expected =
    options.auth === undefined
      ? null
      : Buffer.from(
          `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`,
        );

  const authorized = (req: IncomingMessage): boolean => {
    if (expected === null) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const uploadAt = (name: string, id: string, size: number) => ({
    Location: `/v2/${name}/blobs/uploads/${id}`,
    'Docker-Upload-UUID': id,
    Range: `0-${Math.max(size - 1, 0)}`,
    'Content-Length': '0',
  });

  const finishBlob = (res: ServerResponse, name: string, digest: string, data: Buffer): void => {
    if (!DIGEST.test(digest) || sha256(data) !== digest) {
      error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      return;
    }
    blobs.set(digest, data);
    res.writeHead(201, {
      Location: `/v2/${name}/blobs/${digest}`,
      'Docker-Content-Digest': digest,
      'Content-Length': '0',
    });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}`);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (!authorized(req)) {
      await body(req);
      res.setHeader('WWW-Authenticate', 'Basic realm="oci-registry-test"');
      error(res, 401, 'UNAUTHORIZED', 'authentication required');
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(blobs\/uploads|blobs|manifests)\/?(.*)$/.exec(url.pathname);
    const name = m?.[1] ?? '';
    if (!m || !NAME.test(name)) {
      error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      return;
    }
    const kind = m[2];
    const rest = decodeURIComponent(m[3] ?? '');

    if (kind === 'blobs' && (method === 'GET' || method === 'HEAD')) {
      const data = blobs.get(rest);
      if (data === undefined) {
        await body(req);
        error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(data.length),
        'Docker-Content-Digest': rest,
      });
      res.end(method === 'HEAD' ? undefined : data);
      return;
    }

    if (kind === 'blobs/uploads') {
      if (method === 'POST' && rest === '') {
        const mount = url.searchParams.get('mount');
        const data = await body(req);
        if (mount !== null && blobs.has(mount)) {
          res.writeHead(201, {
            Location: `/v2/${name}/blobs/${mount}`,
            'Docker-Content-Digest': mount,
            'Content-Length': '0',
          });
          res.end();
          return;
        }
        const digest = url.searchParams.get('digest');
        if (digest !== null) return finishBlob(res, name, digest, data);
        const id = randomUUID();
        uploads.set(id, []);
        res.writeHead(202, uploadAt(name, id, 0));
        res.end();
        return;
      }
      const parts = uploads.get(rest);
      if (parts === undefined) {
        await body(req);
        error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
        return;
      }
      const size = (): number => parts.reduce((n, p) => n + p.length, 0);
      if (method === 'GET') {
        res.writeHead(204, uploadAt(name, rest, size()));
        res.end();
        return;
      }
      if (method === 'PATCH') {
        const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
        if (range && Number(range[1]) !== size()) {
          await body(req);
          res.writeHead(416, uploadAt(name, rest, size()));
          res.end();
          return;
        }
        parts.push(await body(req));
        res.writeHead(202, uploadAt(name, rest, size()));
        res.end();
        return;
      }
      if (method === 'PUT') {
        parts.push(await body(req));
        uploads.delete(rest);
        return finishBlob(res, name, url.searchParams.get('digest') ?? '', Buffer.concat(parts));
      }
      if (method === 'DELETE') {
        uploads.delete(rest);
        res.writeHead(204);
        res.end();
        return;
      }
    }

    if (kind === 'manifests') {
      const repo = manifests.get(name) ?? new Map<string, StoredManifest>();
      if (method === 'PUT') {
        const data = await body(req);
        const mediaType = String(req.headers['content-type'] ?? '');
        let parsed: { layers?: { digest: string }[]; config?: { digest: string } };
        try {
          parsed = JSON.parse(data.toString('utf8')) as typeof parsed;
        } catch {
          error(res, 400, 'MANIFEST_INVALID', 'manifest invalid');
          return;
        }
        const missing = [...(parsed.layers ?? []), ...(parsed.config ? [parsed.config] : [])].find(
          (d) => !blobs.has(d.digest),
        );
        if (missing !== undefined) {
          error(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing.digest}`);
          return;
        }
        const stored = { digest: sha256(data), mediaType, body: data };
        if (DIGEST.test(rest) && rest !== stored.digest) {
          error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
          return;
        }
        repo.set(rest, stored);
        repo.set(stored.digest, stored);
        manifests.set(name, repo);
        res.writeHead(201, {
          Location: `/v2/${name}/manifests/${stored.digest}`,
          'Docker-Content-Digest': stored.digest,
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      if (method === 'GET' || method === 'HEAD') {
        const stored = repo.get(rest);
        if (stored === undefined) {
          error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
          return;
        }
        res.writeHead(200, {
          'Content-Type': stored.mediaType,
          'Content-Length': String(stored.body.length),
          'Docker-Content-Digest': stored.digest,
        });
        res.end(method === 'HEAD' ? undefined : stored.body);
        return;
      }
    }
    await body(req);
    error(res, 405, 'UNSUPPORTED', `${method} is not supported here`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, 'UNKNOWN', 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    manifests,
    blobs,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
