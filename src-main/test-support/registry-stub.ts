/**
 * A package registry on loopback that speaks what SourcePinner reads: npm's packument (`GET /<name>`, a
 * scope's slash as %2f, with dist-tags and versions) and PyPI's Simple API under /simple/ (PEP 691 JSON,
 * or PEP 503 HTML when `html` is set). Tests change `npm` and `pypi` while it runs to publish a version.
 * Every request path is recorded in `requests`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubNpmPackage {
  tags: Record<string, string>;
  versions: string[];
}

export interface StubPypiProject {
  files: { filename: string; yanked?: boolean }[];
  /** PEP 700's list; left out, the client reads versions from the file names. */
  versions?: string[];
}

export interface RegistryStub {
  /** npm registry base URL, ending in "/". */
  npm: string;
  /** PyPI Simple API root, ending in "/". */
  pypi: string;
  packages: { npm: Record<string, StubNpmPackage>; pypi: Record<string, StubPypiProject> };
  /** Answer the Simple API in HTML only, as an older or private index does. */
  html: boolean;
  requests: string[];
  close(): Promise<void>;
}

export async function startRegistryStub(
  packages: Partial<RegistryStub['packages']> = {},
): Promise<RegistryStub> {
  const stub = {
    packages: { npm: packages.npm ?? {}, pypi: packages.pypi ?? {} },
    html: false,
    requests: [] as string[],
  };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    stub.requests.push(path);
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const simple = /^\/simple\/([^/]+)\/$/.exec(path);
    if (simple) {
      const project = stub.packages.pypi[decodeURIComponent(simple[1] ?? '')];
      if (!project) return send(404, 'text/plain', 'not found');
      const wantsJson = (req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json');
      if (wantsJson && !stub.html) {
        const files = project.files.map((f) => ({
          filename: f.filename,
          url: `../../files/${f.filename}`,
          hashes: {},
          ...(f.yanked ? { yanked: 'broken' } : {}),
        }));
        const doc = {
          meta: { 'api-version': project.versions ? '1.1' : '1.0' },
          name: simple[1],
          files,
          ...(project.versions ? { versions: project.versions } : {}),
        };
        return send(200, 'application/vnd.pypi.simple.v1+json', JSON.stringify(doc));
      }
      const anchors = project.files
        .map(
          (f) =>
            `<a href="../../files/${f.filename}"${f.yanked ? ' data-yanked=""' : ''}>${f.filename}</a><br/>`,
        )
        .join('\n');
      return send(200, 'text/html', `<!DOCTYPE html><html><body>\n${anchors}\n</body></html>`);
    }
    const name = decodeURIComponent(path.slice(1));
    const pkg = stub.packages.npm[name];
    if (!pkg) return send(404, 'application/json', JSON.stringify({ error: 'Not found' }));
    const versions = Object.fromEntries(pkg.versions.map((v) => [v, { name, version: v }]));
    return send(
      200,
      'application/vnd.npm.install-v1+json',
      JSON.stringify({ name, 'dist-tags': pkg.tags, versions }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return Object.assign(stub, {
    npm: base,
    pypi: `${base}simple/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive; they would hold close() for seconds.
        server.closeAllConnections();
      }),
  });
}

/** A loopback URL nothing listens on: a registry that is down. */
export async function deadRegistryUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
