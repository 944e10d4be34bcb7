/**
 * The extra networks of a container (a server's --network), joined after it is made and before it
 * starts: it stays on its own network, where its port is published, and an engine before API 1.44
 * takes only one network at create.
 */
import { mapDockerError } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import type { ContainerSpec } from '../instance-spec/types';
import { bounded } from './engine-call';

/** Connects the made (not started) container `id` to each extra network of its spec. Throws FleetError. */
export async function connectExtraNetworks(
  docker: DockerHost,
  id: string,
  spec: ContainerSpec,
): Promise<void> {
  for (const network of spec.extraNetworks) {
    const what = `network ${network}`;
    await bounded(
      docker,
      docker.docker
        .getNetwork(network)
        .connect({ Container: id })
        .catch((err: unknown) => {
          throw mapDockerError(err, docker.where, what);
        }),
      `connecting ${spec.name ?? 'a container'} to ${what}`,
    );
  }
}
