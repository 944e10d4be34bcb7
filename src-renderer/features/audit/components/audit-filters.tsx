import type { AuditCallView } from '../../../../src-main/shared/contract';
import { auditCsv, auditJsonLines } from '../../../../src-main/shared/audit-export';
import { Button } from '../../../components/ui/button';
import { saveFile } from '../../../lib/save-file';
import { LIMITS, type AuditFilter, type SinceChoice } from '../hooks/audit-filter';

const SINCE_LABELS: Record<SinceChoice, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
  date: 'since a date…',
};

function isSince(value: string): value is SinceChoice {
  return value in SINCE_LABELS;
}

export interface AuditFiltersProps {
  filter: AuditFilter;
  onFilter: (patch: Partial<AuditFilter>) => void;
  /** Server names to offer: the defined servers and any the trail names. */
  servers: string[];
  /** Member names and targets seen, offered as suggestions. */
  members: string[];
  targets: string[];
}

/** The same filters as `mcp-fleet audit`: server, member, tool, since, limit. */
export function AuditFilters({ filter, onFilter, servers, members, targets }: AuditFiltersProps) {
  return (
    <div className="audit-filters" data-testid="audit-filters">
      <div className="field">
        <label htmlFor="audit-server">Server</label>
        <select
          id="audit-server"
          value={filter.server}
          data-testid="audit-server"
          onChange={(e) => onFilter({ server: e.target.value })}
        >
          <option value="">all servers</option>
          {servers.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-member">Member</label>
        <input
          id="audit-member"
          list="audit-member-names"
          value={filter.member}
          placeholder="all members"
          autoComplete="off"
          data-testid="audit-member"
          onChange={(e) => onFilter({ member: e.target.value })}
        />
        <datalist id="audit-member-names">
          {members.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-tool">Tool, prompt or URI</label>
        <input
          id="audit-tool"
          list="audit-target-names"
          value={filter.tool}
          placeholder="any"
          autoComplete="off"
          data-testid="audit-tool"
          onChange={(e) => onFilter({ tool: e.target.value })}
        />
        <datalist id="audit-target-names">
          {targets.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-since">Since</label>
        <select
          id="audit-since"
          value={filter.since}
          data-testid="audit-since"
          onChange={(e) => isSince(e.target.value) && onFilter({ since: e.target.value })}
        >
          {Object.entries(SINCE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {filter.since === 'date' && (
        <div className="field">
          <label htmlFor="audit-date">Date (UTC)</label>
          <input
            id="audit-date"
            type="date"
            value={filter.date}
            data-testid="audit-date"
            onChange={(e) => onFilter({ date: e.target.value })}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="audit-limit">Rows</label>
        <select
          id="audit-limit"
          value={filter.limit}
          data-testid="audit-limit"
          onChange={(e) => onFilter({ limit: Number(e.target.value) })}
        >
          {LIMITS.map((n) => (
            <option key={n} value={n}>
              newest {n}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

/** Downloads the rows shown, oldest first, as the CLI's `--format csv` / `--format jsonl` writes them. */
export function AuditExport({ calls }: { calls: readonly AuditCallView[] }) {
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
  return (
    <div className="field-actions">
      <Button
        disabled={calls.length === 0}
        data-testid="audit-export-csv"
        onClick={() => saveFile(auditCsv(calls), `audit-${stamp()}.csv`, 'text/csv;charset=utf-8')}
      >
        Export CSV
      </Button>
      <Button
        disabled={calls.length === 0}
        data-testid="audit-export-jsonl"
        onClick={() =>
          saveFile(auditJsonLines(calls), `audit-${stamp()}.jsonl`, 'application/x-ndjson;charset=utf-8')
        }
      >
        Export JSON Lines
      </Button>
    </div>
  );
}
