import { ErrorAlert } from '../../../components/ui/alert';
import { useHealthHistory } from '../hooks/use-instances';
import { HealthBadge } from './health-badge';
import { Sparkline } from './sparkline';
import { timeAgo } from './format';

/** The monitor's short history: latency over time, and every state change with its reason. */
export function HealthTimeline({ instanceId }: { instanceId: string }) {
  const history = useHealthHistory(instanceId);
  const transitions = [...(history.data?.transitions ?? [])].reverse();
  return (
    <section className="panel" aria-labelledby="timeline-title" data-testid="health-timeline">
      <header className="panel-header">
        <h2 id="timeline-title">Health timeline</h2>
        <span className="spacer" />
        <Sparkline samples={history.data?.samples ?? []} />
      </header>
      {history.error && <ErrorAlert error={history.error} testId="timeline-error" />}
      {history.data && transitions.length === 0 && <p className="muted">No state change recorded yet.</p>}
      <ol className="timeline">
        {transitions.map((t) => (
          <li key={`${t.at}-${t.to}`} className="timeline-item">
            <time dateTime={t.at} title={new Date(t.at).toLocaleString()}>
              {timeAgo(t.at)}
            </time>
            <HealthBadge state={t.to} />
            <span className="timeline-reason">{t.reason}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
