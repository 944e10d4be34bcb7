import type { HostCheck } from '../../../../src-main/shared/contract';

/** What `hosts:check` found: reachability, the host key, Docker and its permission, free ports. */
export function HostCheckView({ check, testId }: { check: HostCheck; testId: string }) {
  const dockerOk = check.dockerVersion !== null && check.dockerPermitted === true;
  return (
    <dl
      className="facts check-facts"
      data-testid={testId}
      data-reachable={check.reachable}
      data-docker-ok={dockerOk}
    >
      <dt>Reachable</dt>
      <dd>
        <span className={check.reachable ? 'dot dot-ok' : 'dot dot-bad'} aria-hidden="true" />
        {check.reachable ? 'yes' : 'no'}
      </dd>
      <dt>Host key</dt>
      <dd>
        {check.fingerprint ? (
          <code className="fingerprint-strong" data-testid={`${testId}-fingerprint`}>
            {check.fingerprint}
          </code>
        ) : (
          <span className="muted">—</span>
        )}
      </dd>
      <dt>Docker</dt>
      <dd data-testid={`${testId}-docker`}>
        {check.dockerVersion ? (
          <>
            <span className={dockerOk ? 'dot dot-ok' : 'dot dot-warn'} aria-hidden="true" />
            {check.dockerVersion}
            {check.dockerPermitted === false && (
              <span className="muted"> · this login may not use Docker (add it to the docker group)</span>
            )}
            {check.dockerTransport && <span className="muted"> · via {check.dockerTransport}</span>}
          </>
        ) : (
          <span className="muted">not found</span>
        )}
      </dd>
      <dt>Architecture</dt>
      <dd>{check.arch ?? <span className="muted">—</span>}</dd>
      <dt>Swarm</dt>
      <dd data-testid={`${testId}-swarm`}>
        {check.swarm ? (
          check.swarm === 'manager' ? (
            'manager (can run Swarm services)'
          ) : (
            <span className="muted">{check.swarm === 'worker' ? 'worker' : 'not in a Swarm'}</span>
          )
        ) : (
          <span className="muted">—</span>
        )}
      </dd>
      <dt>Free ports</dt>
      <dd className="mono">
        {check.freePorts && check.freePorts.length > 0 ? (
          check.freePorts.slice(0, 8).join(', ') + (check.freePorts.length > 8 ? ', …' : '')
        ) : (
          <span className="muted">—</span>
        )}
      </dd>
      {check.error && (
        <>
          <dt>Problem</dt>
          <dd className="cell-wrap check-error" data-testid={`${testId}-error`}>
            {check.error}
          </dd>
        </>
      )}
    </dl>
  );
}
