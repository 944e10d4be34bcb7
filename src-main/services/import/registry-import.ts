/**
 * A server definition from an MCP Registry server.json: the first package MCP Fleet can run (npm →
 * npx, pypi → uvx, oci → image) with a stdio transport, its fixed arguments, and its environment
 * variables with their secret and required flags. Reads the camelCase schema (2025-09-29 onwards)
 * and the snake_case one of 2025-07-09.
 */
import type { EnvEntryInput, ServerAddInput } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { Candidate } from './client-config-import';
import { looksSecret } from './secret-detect';

type Obj = Record<string, unknown>;

const PREFERENCE = ['npm', 'pypi', 'oci'] as const;

/** True when the document looks like a server.json rather than a client configuration. */
export function isRegistryServer(doc: Obj): boolean {
  return (
    Array.isArray(doc.packages) ||
    Array.isArray(doc.remotes) ||
    (typeof doc.$schema === 'string' && doc.$schema.includes('server.schema'))
  );
}

/** Throws FleetError('invalid_input') naming the package or variable at fault. */
export function fromRegistryServer(doc: Obj, mode: 'shared' | 'dedicated'): Candidate {
  const serverName = typeof doc.name === 'string' ? doc.name : 'server.json';
  const fail = (message: string): never => {
    throw new FleetError('invalid_input', `${serverName}: ${message}`);
  };
  const packages = (Array.isArray(doc.packages) ? doc.packages : []).filter(
    (p): p is Obj => p !== null && typeof p === 'object',
  );
  const runnable = packages.filter((p) => {
    const transport = field(p, 'transport') as Obj | undefined;
    const type = transport?.type ?? 'stdio';
    return type === 'stdio' && PREFERENCE.includes(str(p, 'registryType') as (typeof PREFERENCE)[number]);
  });
  runnable.sort(
    (a, b) =>
      PREFERENCE.indexOf(str(a, 'registryType') as never) -
      PREFERENCE.indexOf(str(b, 'registryType') as never),
  );
  const pkg = runnable[0];
  if (pkg === undefined) {
    return fail(
      packages.length === 0
        ? 'has no packages (only remote endpoints?); MCP Fleet runs npm, PyPI or OCI packages'
        : 'has no npm, PyPI or OCI package with a stdio transport',
    );
  }
  const type = str(pkg, 'registryType') as (typeof PREFERENCE)[number];
  const identifier = str(pkg, 'identifier') ?? fail(`the ${type} package has no identifier`);
  const version = str(pkg, 'version');
  const warnings: string[] = [];
  const source = sourceOf(type, identifier, version, str(pkg, 'registryBaseUrl'));
  if (type === 'oci' && list(pkg, 'runtimeArguments').length > 0) {
    warnings.push(
      'its docker runtime arguments are not carried over (MCP Fleet sets mounts, ports and limits itself)',
    );
  }
  const args = list(pkg, 'packageArguments').flatMap((arg, index) => argument(arg, index, fail, warnings));
  const env = list(pkg, 'environmentVariables').flatMap((v): EnvEntryInput[] => {
    const name = str(v, 'name') ?? fail('an environment variable has no name');
    const value = str(v, 'value') ?? str(v, 'default');
    const required = field(v, 'isRequired') === true;
    const secret = field(v, 'isSecret') === true || looksSecret(name, value ?? '');
    if (value === undefined) {
      if (!required) return [];
      warnings.push(`${name} is required: set its value before deploying`);
      return [{ key: name, value: '', secret }];
    }
    return [{ key: name, value, secret }];
  });
  const shortName = serverName.split('/').pop() ?? serverName;
  const input: ServerAddInput = { name: shortName, source, args, env, mode };
  return { entry: serverName, input, warnings: warnings.map((w) => `${serverName}: ${w}`) };
}

function sourceOf(
  type: (typeof PREFERENCE)[number],
  identifier: string,
  version: string | undefined,
  baseUrl: string | undefined,
): ServerAddInput['source'] {
  switch (type) {
    case 'npm':
      return { kind: 'npx', value: version ? `${identifier}@${version}` : identifier };
    case 'pypi':
      return { kind: 'uvx', value: version ? `${identifier}==${version}` : identifier };
    case 'oci': {
      const host = baseUrl?.replace(/^https?:\/\//, '').replace(/\/+$/, '');
      const hasRegistry = /^[^/]+[.:][^/]*\//.test(identifier) || identifier.startsWith('localhost/');
      const withHost =
        hasRegistry || host === undefined || host === 'docker.io' || host === 'registry-1.docker.io'
          ? identifier
          : `${host}/${identifier}`;
      const tagged = /:[^/]+$|@sha256:/.test(withHost);
      return { kind: 'image', value: tagged || !version ? withHost : `${withHost}:${version}` };
    }
  }
}

/** A package argument as argv words: positional → its value; named → name and value. */
function argument(arg: Obj, index: number, fail: (m: string) => never, warnings: string[]): string[] {
  const kind = str(arg, 'type');
  const label = str(arg, 'name') ?? str(arg, 'valueHint') ?? `argument ${index + 1}`;
  const required = field(arg, 'isRequired') === true;
  let value = str(arg, 'value') ?? str(arg, 'default');
  if (value !== undefined && /\{[A-Za-z0-9_]+\}/.test(value)) {
    value = substitute(value, (field(arg, 'variables') ?? {}) as Obj);
    if (value === undefined) {
      if (required) return fail(`argument ${label} needs values this file does not give`);
      warnings.push(`argument ${label} was left out: it needs values this file does not give`);
      return [];
    }
  }
  if (kind === 'named') {
    const name = str(arg, 'name') ?? fail(`named argument ${index + 1} has no name`);
    if (value === undefined) return required ? [name] : [];
    return [name, value];
  }
  if (value === undefined) {
    if (required) return fail(`the required argument ${label} has no value or default`);
    return [];
  }
  return [value];
}

function substitute(template: string, variables: Obj): string | undefined {
  let missing = false;
  const out = template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, key: string) => {
    const v = variables[key] as Obj | undefined;
    const value = v ? (str(v, 'value') ?? str(v, 'default')) : undefined;
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : out;
}

/** A field by its camelCase name, or the snake_case one of the first schema. */
function field(o: Obj, camel: string): unknown {
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function str(o: Obj, camel: string): string | undefined {
  const v = field(o, camel);
  return typeof v === 'string' ? v : undefined;
}

function list(o: Obj, camel: string): Obj[] {
  const v = field(o, camel);
  return Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === 'object') : [];
}
