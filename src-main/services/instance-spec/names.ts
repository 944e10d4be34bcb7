/**
 * Names derived from server and member names. Server and member names already satisfy Docker's
 * container-name alphabet (the contract's Name rule rejects anything else at input), so nothing here
 * rewrites a name: it only joins them, and checks again because a record may predate a rule.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Name } from '../../shared/contract';
import { FleetError } from '../../shared/errors';

/** Throws FleetError('invalid_input') naming the field when `value` is not a valid name. */
export function assertName(value: string, what: string): void {
  if (!Name.safeParse(value).success) {
    throw new FleetError(
      'invalid_input',
      `${what} ${JSON.stringify(value)} must be 1-63 characters of letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
}

/**
 * `mcp-fleet-<server>` for Shared; `mcp-fleet-<server>-<member>-<8 hex>` for a Dedicated member.
 * Names may contain "-", so server "a" + member "b-c" and server "a-b" + member "c" would otherwise
 * both be `mcp-fleet-a-b-c`; the digest of the pair keeps every instance's name its own.
 */
export function containerName(server: string, member: string | null): string {
  assertName(server, 'server name');
  if (member === null) return `mcp-fleet-${server}`;
  assertName(member, 'member name');
  const digest = createHash('sha256').update(`${server}\0${member}`).digest('hex').slice(0, 8);
  return `mcp-fleet-${server}-${member}-${digest}`;
}

/**
 * Whether an instance name read back from a host (a label anyone with Docker access there could have
 * written) is a plain container name, and so may become a path or a volume name.
 */
export function isPlainInstanceName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name);
}

/** The named volume of a stateful server's instance. */
export function stateVolumeName(container: string): string {
  return `${container}-state`;
}

/**
 * The host folder holding an instance's env and members files: `<home>/.mcp-fleet/instances/<name>`.
 * Deploy and export use this one rule, so both write the same files to the same place.
 */
export function instanceConfigDir(hostHome: string, container: string): string {
  return assertHostPath(
    path.posix.join(hostHome, '.mcp-fleet', 'instances', container),
    'the instance folder',
  );
}

/**
 * Host paths end up inside `--mount type=bind,source=PATH,...`, which Docker reads as CSV: a comma or
 * a double quote would split or break the field, and a newline cannot be written to a shell line
 * safely for every shell. Throws FleetError('invalid_input').
 */
export function assertHostPath(value: string, what: string): string {
  if (!value.startsWith('/')) throw new FleetError('invalid_input', `${what} must be an absolute path`);
  if (/[,"\0\r\n]/.test(value)) {
    throw new FleetError(
      'invalid_input',
      `${what} must not contain commas, double quotes or line breaks (Docker's --mount cannot take them)`,
    );
  }
  return value;
}
