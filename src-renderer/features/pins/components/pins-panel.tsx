import { useState } from 'react';
import type { PinEntryView, PinsChanged } from '../../../../src-main/shared/contract';
import { canonicalJson } from '../../../../src-main/shared/tool-pins';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { useMutation, useQuery } from '../../../lib/use-query';

const KIND: Record<PinEntryView['kind'], string> = {
  tools: 'tool',
  prompts: 'prompt',
  resourceTemplates: 'template',
};

/** The fields of both definitions, each as canonical JSON ('' when absent), the changed ones first. */
function fieldsOf(entry: PinEntryView): { field: string; was: string; now: string }[] {
  const before = entry.approved?.definition ?? {};
  const after = entry.quarantined?.definition ?? {};
  const text = (value: unknown) => (value === undefined ? '' : canonicalJson(value));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort()
    .map((field) => ({ field, was: text(before[field]), now: text(after[field]) }))
    .sort((a, b) => Number(a.was === a.now) - Number(b.was === b.now));
}

/** A quarantined definition beside the approved one, field by field (texts from the server, as text). */
function QuarantineDiff({ entry }: { entry: PinEntryView }) {
  if (entry.quarantined?.definition === null) {
    return <p className="muted">The definition was too long to report; only its hash is known.</p>;
  }
  return (
    <table className="pin-diff" data-testid={`pin-diff-${entry.name}`}>
      <thead>
        <tr>
          <th scope="col">field</th>
          <th scope="col">approved</th>
          <th scope="col">now listed (quarantined)</th>
        </tr>
      </thead>
      <tbody>
        {fieldsOf(entry).map(({ field, was, now }) => (
          <tr key={field} className={was === now ? 'muted' : 'pin-changed'}>
            <th scope="row">{field}</th>
            <td>
              <code>{was === '' ? '(none)' : was}</code>
            </td>
            <td>
              <code>{now === '' ? '(none)' : now}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Tool pinning on a server's page: what its bridges serve as approved, and what they quarantine (a
 * changed or new tool, prompt or template) with the two definitions side by side, each approved here.
 */
export function PinsPanel({ server }: { server: string }) {
  const pins = useQuery('pins:list', { server });
  const approve = useMutation('pins:approve', ['servers']);
  const auto = useMutation('pins:auto-approve', ['servers']);
  const [outcome, setOutcome] = useState<PinsChanged | null>(null);
  const view = pins.data;
  const quarantined = (view?.entries ?? []).filter((e) => e.status !== 'approved');

  async function setAuto(on: boolean) {
    const result = await auto.run({ server, on });
    if (result.ok) setOutcome(result.data);
  }

  async function approveNames(names: string[]) {
    const result = await approve.run({ server, names });
    if (result.ok) setOutcome(result.data);
  }

  return (
    <section className="panel" data-testid="pins-panel">
      <header className="panel-header">
        <h2>Tool pinning</h2>
        {view && (
          <label className="inline-check">
            <input
              type="checkbox"
              checked={view.autoApproveNew}
              disabled={auto.pending}
              onChange={(e) => void setAuto(e.target.checked)}
              data-testid="pins-auto-approve"
            />{' '}
            Approve new tools automatically (never changed ones)
          </label>
        )}
      </header>
      {pins.error && <ErrorAlert error={pins.error} testId="pins-error" />}
      {approve.error && <ErrorAlert error={approve.error} testId="pins-approve-error" />}
      {auto.error && <ErrorAlert error={auto.error} testId="pins-auto-error" />}
      {view && view.recordedAt === null && (
        <p className="muted">Nothing pinned yet: the first green deploy records what the server offers.</p>
      )}
      {view && view.recordedAt !== null && (
        <p className="muted" data-testid="pins-summary">
          {view.entries.length - quarantined.length} approved, {quarantined.length} quarantined. Pinned since{' '}
          {new Date(view.recordedAt).toLocaleString()}.
        </p>
      )}
      {quarantined.length > 0 && (
        <div className="pins-quarantined" role="region" aria-label="Quarantined definitions">
          {quarantined.map((entry) => (
            <article
              key={`${entry.kind} ${entry.name}`}
              className="pin-entry"
              data-testid={`pin-${entry.name}`}
            >
              <h3>
                <span className="tag tag-update">{entry.status === 'new' ? 'new' : 'changed'}</span>{' '}
                {KIND[entry.kind]} <code>{entry.name}</code>
              </h3>
              <QuarantineDiff entry={entry} />
              <Button
                variant="primary"
                busy={approve.pending}
                onClick={() => void approveNames([entry.name])}
                data-testid={`pin-approve-${entry.name}`}
              >
                Approve this definition
              </Button>
            </article>
          ))}
          {quarantined.length > 1 && (
            <Button
              onClick={() => void approveNames([])}
              busy={approve.pending}
              data-testid="pins-approve-all"
            >
              Approve all {quarantined.length}
            </Button>
          )}
        </div>
      )}
      {view && view.entries.length > 0 && (
        <details>
          <summary>Approved definitions ({view.entries.length - quarantined.length})</summary>
          <ul className="link-list">
            {view.entries
              .filter((e) => e.status === 'approved')
              .map((e) => (
                <li key={`${e.kind} ${e.name}`}>
                  {KIND[e.kind]} <code>{e.name}</code>{' '}
                  <span className="muted">{e.approved?.hash.slice(0, 12)}</span>
                </li>
              ))}
          </ul>
        </details>
      )}
      {outcome && outcome.pushed.length > 0 && (
        <ul className="muted" data-testid="pins-pushed">
          {outcome.pushed.map((p) => (
            <li key={p.instance}>
              {p.instance} on {p.host}: {p.outcome} ({p.detail})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
