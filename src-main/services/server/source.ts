/**
 * Checks a server's source at input so that nothing later (a docker command, a shell string, a label)
 * has to cope with a malformed package name or image reference.
 */
import type { ServerSource } from '../../shared/contract';
import { FleetError } from '../../shared/errors';

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// An exact version, a dist-tag or a range (^1, ~1.2, >=2, 1.x): addPinning turns the last two into one.
const NPM_VERSION = /^[A-Za-z0-9^~<>=*][A-Za-z0-9.+_~^<>=|* -]*$/;
const PYPI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._,-]+\])?$/;
const PYPI_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;
// Docker's reference grammar, simplified: [registry[:port]/]path[:tag][@sha256:digest], lower-case path.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export interface PackageSpec {
  name: string;
  version: string | null;
}

/** Splits `@scope/pkg@1.2.3` into name and version (npm) or `pkg==1.2` / `pkg@1.2` (PyPI). */
export function splitPackage(kind: 'npx' | 'uvx', value: string): PackageSpec {
  if (kind === 'npx') {
    const at = value.indexOf('@', value.startsWith('@') ? 1 : 0);
    return at === -1
      ? { name: value, version: null }
      : { name: value.slice(0, at), version: value.slice(at + 1) };
  }
  const m = /^(.*?)(?:==|@)(.+)$/.exec(value);
  return m ? { name: m[1] as string, version: m[2] as string } : { name: value, version: null };
}

/** Throws FleetError('invalid_input') naming the problem when the source cannot be run as given. */
export function validateSource(source: ServerSource): void {
  const { kind, value } = source;
  if (/[\s\0]/.test(value) && kind !== 'command') {
    throw new FleetError(
      'invalid_input',
      `${kind} source "${value}" must not contain spaces or control characters`,
    );
  }
  switch (kind) {
    case 'npx': {
      const { name, version } = splitPackage(kind, value);
      if (!NPM_NAME.test(name) || name.length > 214) {
        throw new FleetError('invalid_input', `"${name}" is not a valid npm package name`);
      }
      if (version !== null && !NPM_VERSION.test(version)) {
        throw new FleetError('invalid_input', `"${version}" is not a valid npm version or tag`);
      }
      return;
    }
    case 'uvx': {
      const { name, version } = splitPackage(kind, value);
      if (!PYPI_NAME.test(name))
        throw new FleetError('invalid_input', `"${name}" is not a valid PyPI package name`);
      if (version !== null && !PYPI_VERSION.test(version)) {
        throw new FleetError('invalid_input', `"${version}" is not a valid PyPI version`);
      }
      return;
    }
    case 'image':
      if (!IMAGE_REF.test(value) || value.length > 255) {
        throw new FleetError(
          'invalid_input',
          `"${value}" is not a valid image reference (e.g. ghcr.io/org/server:1.2)`,
        );
      }
      return;
    case 'command':
      if (/[\0\r\n]/.test(value)) {
        throw new FleetError('invalid_input', 'the command must not contain newlines or NUL characters');
      }
      return;
  }
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The source with another version: npx/uvx `name@version` (extras kept), an image the same repository
 * with `version` as its tag (a digest is dropped: it would pin the old image). Throws
 * FleetError('invalid_input') for a command source, which has no version, or a version its kind refuses.
 */
export function withVersion(source: ServerSource, version: string): ServerSource {
  switch (source.kind) {
    case 'npx':
    case 'uvx': {
      const next = { kind: source.kind, value: `${splitPackage(source.kind, source.value).name}@${version}` };
      validateSource(next);
      return next;
    }
    case 'image': {
      if (!IMAGE_TAG.test(version)) {
        throw new FleetError(
          'invalid_input',
          `"${version.slice(0, 200)}" is not a valid image tag (letters, digits, "_", "." and "-", at most 128)`,
        );
      }
      const bare = source.value.split('@')[0] as string;
      const slash = bare.lastIndexOf('/');
      const colon = bare.lastIndexOf(':');
      const repository = colon > slash ? bare.slice(0, colon) : bare;
      const next = { kind: 'image' as const, value: `${repository}:${version}` };
      validateSource(next);
      return next;
    }
    case 'command':
      throw new FleetError(
        'invalid_input',
        'a command source has no version to change: change the command or its arguments instead',
      );
  }
}
