import type { ToolDiff } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { useInstanceList } from '../../instances/hooks/use-instances';

/** What a version change does to the tools: added, removed, changed (with the fields), and a count. */
export function ToolDiffView({ diff, testId }: { diff: ToolDiff; testId: string }) {
  const total = diff.added.length + diff.removed.length + diff.changed.length;
  return (
    <div className="stack" style={{ gap: 6 }} data-testid={testId}>
      <p>
        <strong>
          {diff.from} → {diff.to}
        </strong>
        <span className="muted">
          {diff.host === null
            ? ': the server runs nowhere yet, so its tools were not listed.'
            : `, tools as listed on ${diff.host}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged.`}
        </span>
      </p>
      {total > 0 && (
        <ul className="link-list mono">
          {diff.added.map((name) => (
            <li key={`+${name}`} data-testid={`${testId}-added`}>
              + {name}
            </li>
          ))}
          {diff.removed.map((name) => (
            <li key={`-${name}`} className="text-warn" data-testid={`${testId}-removed`}>
              − {name}
            </li>
          ))}
          {diff.changed.map((c) => (
            <li key={`~${c.name}`} data-testid={`${testId}-changed`}>
              ~ {c.name} <span className="muted">({c.fields.join(', ')})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Each instance of the server against its definition, as the hosts report them (reads every host). */
export function ServerDrift({ server, testId }: { server: string; testId: string }) {
  const instances = useInstanceList(server);
  if (instances.error) return <ErrorAlert error={instances.error} testId={`${testId}-error`} />;
  if (!instances.data) return <div className="skeleton skeleton-md" aria-busy="true" />;
  return (
    <div className="stack" style={{ gap: 6 }} data-testid={testId}>
      <p className="muted">Instances against the saved definition:</p>
      <ul className="link-list">
        {instances.data.map((i) => (
          <li key={`${i.host}/${i.name}`} data-testid={`${testId}-${i.name}`}>
            <code>{i.member ?? i.name}</code> <span className="muted">on {i.host}:</span>{' '}
            <span className={i.drift === 'ok' ? undefined : 'text-warn'}>
              {i.drift === 'ok' ? 'as defined' : i.drift}
            </span>
            {i.error && <span className="muted"> ({i.error})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
