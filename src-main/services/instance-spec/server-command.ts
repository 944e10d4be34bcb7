/**
 * The stdio command the bridge starts inside the container, from a server's source.
 */
import { FleetError } from '../../shared/errors';
import { splitPackage, validateSource } from '../server/source';
import type { ServerRecord } from '../store/types';
import type { SourceImageConfig } from './types';

/**
 * argv of the server process. npx: `npx -y pkg@version args` (the runtime image bakes the pinned
 * package, and npx resolves it there without fetching). uvx: `uvx pkg@version args`, or with extras
 * `uvx --from 'pkg[x]==version' pkg args`. image: the server image's own ENTRYPOINT + CMD, then the
 * server's args (the runtime image is built FROM that image; see imagePlan). command: as given.
 * Throws FleetError('invalid_input') for a source that cannot run, or an image source without its config.
 */
export function serverCommand(server: ServerRecord, imageConfig?: SourceImageConfig): string[] {
  const source = { kind: server.sourceKind, value: server.sourceValue };
  validateSource(source);
  switch (server.sourceKind) {
    case 'npx':
      return ['npx', '-y', server.sourceValue, ...server.args];
    case 'uvx': {
      const { name, version } = splitPackage('uvx', server.sourceValue);
      const extras = /^(.*?)(\[.*\])$/.exec(name);
      if (extras) {
        const bare = extras[1] as string;
        const from = version === null ? name : `${name}==${version}`;
        return ['uvx', '--from', from, bare, ...server.args];
      }
      return ['uvx', version === null ? name : `${name}@${version}`, ...server.args];
    }
    case 'image': {
      if (imageConfig === undefined) {
        throw new FleetError(
          'invalid_input',
          `server "${server.name}" runs the image ${server.sourceValue}: its ENTRYPOINT and CMD are needed (inspect the image first)`,
        );
      }
      // As `docker run IMAGE ARGS` does: arguments replace the image's CMD, not its ENTRYPOINT.
      const argv = [...imageConfig.entrypoint, ...(server.args.length > 0 ? server.args : imageConfig.cmd)];
      if (argv.length === 0) {
        throw new FleetError(
          'invalid_input',
          `image ${server.sourceValue} declares no ENTRYPOINT or CMD to run`,
        );
      }
      return argv;
    }
    case 'command':
      return [server.sourceValue, ...server.args];
  }
}
