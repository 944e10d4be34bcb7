import { useHealthHistory } from '../hooks/use-instances';
import { formatLatency } from './format';
import { Sparkline } from './sparkline';

/** The latency now and its recent history; fetched only for rows on screen. */
export function LatencyCell({ instanceId, latencyMs }: { instanceId: string; latencyMs: number | null }) {
  const history = useHealthHistory(instanceId);
  return (
    <span className="latency">
      <Sparkline samples={history.data?.samples ?? []} />
      <span className="num">{formatLatency(latencyMs)}</span>
    </span>
  );
}
