import type { DeployResult } from '../../../../src-main/shared/contract';

const ACTION_WORDS: Record<DeployResult['instances'][number]['action'], string> = {
  created: 'created',
  replaced: 'replaced',
  unchanged: 'already as defined',
  removed: 'removed',
  failed: 'failed',
  skipped: 'left on the previous version',
};

/** What a deploy did, one line per instance. */
export function DeployOutcomes({ result, testId }: { result: DeployResult; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th>Instance</th>
            <th>Member</th>
            <th>URL</th>
            <th>Outcome</th>
            <th className="num">Tools</th>
          </tr>
        </thead>
        <tbody>
          {result.instances.map((i) => (
            <tr key={i.name} data-testid={`${testId}-${i.member ?? 'shared'}`} data-action={i.action}>
              <td className="mono">{i.name}</td>
              <td>{i.member ?? <span className="muted">shared</span>}</td>
              <td className="mono cell-clip">{i.url ?? '—'}</td>
              <td className={i.action === 'failed' ? 'text-danger' : undefined}>
                {ACTION_WORDS[i.action]}
                {i.error && <span className="muted"> · {i.error}</span>}
              </td>
              <td className="num">{i.tools?.length ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
