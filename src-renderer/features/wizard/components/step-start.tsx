import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Name } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { Field } from '../../../components/ui/field';
import { useMutation } from '../../../lib/use-query';
import { useWizard } from '../hooks/wizard-context';
import { WizardFooter } from './wizard-footer';

const STARTS = [
  { value: 'blank', label: 'Start blank' },
  { value: 'import', label: 'Import a file' },
] as const;

const MODES = [
  { value: 'shared', label: 'Shared' },
  { value: 'dedicated', label: 'Dedicated' },
] as const;

/** What is wrong with the pasted text, checked as it is typed (the services parse it for real). */
function textProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'is required: paste the file or load it';
  if (!trimmed.startsWith('{'))
    return 'must be a JSON object: claude_desktop_config.json, mcp.json or server.json';
  return undefined;
}

/** Step 0: a blank definition, or one imported from a client config or an MCP Registry server.json. */
export function StepStart({ onNext }: { onNext: () => void }) {
  const { draft, update } = useWizard();
  const importer = useMutation('servers:import', ['servers']);
  const [tried, setTried] = useState(false);
  const textError = textProblem(draft.importText);
  const entryError =
    draft.importEntry.trim() === ''
      ? undefined
      : Name.safeParse(draft.importEntry.trim()).error?.issues[0]?.message;
  const imported = draft.imported;

  async function loadFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    update({ importText: await file.text(), importFileName: file.name });
    e.target.value = '';
  }

  async function runImport() {
    setTried(true);
    if (textError || entryError) return;
    const result = await importer.run({
      text: draft.importText,
      mode: draft.importMode,
      ...(draft.importFileName ? { fileName: draft.importFileName } : {}),
      ...(draft.importEntry.trim() ? { name: draft.importEntry.trim() } : {}),
    });
    if (result.ok)
      update({ imported: result.data, server: result.data.servers[0]?.name ?? null, createdInput: null });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (draft.start === 'blank' || imported) onNext();
    else void runImport();
  }

  const canContinue = draft.start === 'blank' || (imported !== null && draft.server !== null);
  return (
    <form className="wizard-step" onSubmit={submit} noValidate data-testid="wizard-step-0">
      <h2 className="step-title">Start</h2>
      <p className="step-lead">
        Define a server from scratch, or import one from an existing client configuration (
        <code>claude_desktop_config.json</code>, <code>mcp.json</code>) or an MCP Registry{' '}
        <code>server.json</code>.
      </p>
      <ChoiceGroup
        name="wizard-start"
        label="How to begin"
        value={draft.start}
        choices={STARTS}
        onChange={(start) => update({ start })}
      />
      {draft.start === 'import' && !imported && (
        <>
          <Field
            id="wizard-import-text"
            label="File contents"
            hint={
              draft.importFileName
                ? `Loaded from ${draft.importFileName}.`
                : 'Paste the JSON, or load the file.'
            }
            error={tried || draft.importText !== '' ? textError : undefined}
          >
            <textarea
              id="wizard-import-text"
              className="mono"
              rows={9}
              spellCheck={false}
              value={draft.importText}
              placeholder={
                '{\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  }\n}'
              }
              aria-invalid={(tried || draft.importText !== '') && textError !== undefined}
              data-testid="wizard-import-text"
              onChange={(e) => update({ importText: e.target.value, importFileName: null })}
            />
          </Field>
          <div className="field-actions">
            <label className="btn btn-secondary file-button">
              Load file…
              <input
                type="file"
                accept=".json,application/json"
                onChange={(e) => void loadFile(e)}
                data-testid="wizard-import-file"
              />
            </label>
          </div>
          <div className="field-row">
            <Field
              id="wizard-import-entry"
              label="Entry"
              hint="Optional: import only this entry (or name the file's only server)."
              error={entryError}
              className="grow-1"
            >
              <input
                id="wizard-import-entry"
                value={draft.importEntry}
                spellCheck={false}
                aria-invalid={entryError !== undefined}
                data-testid="wizard-import-entry"
                onChange={(e) => update({ importEntry: e.target.value })}
              />
            </Field>
            <ChoiceGroup
              name="wizard-import-mode"
              label="Mode"
              value={draft.importMode}
              choices={MODES}
              onChange={(importMode) => update({ importMode })}
            />
          </div>
          {importer.error && <ErrorAlert error={importer.error} testId="wizard-import-error" />}
        </>
      )}
      {draft.start === 'import' && imported && (
        <div className="import-result" data-testid="wizard-import-result">
          <p>
            Imported {imported.servers.length === 1 ? 'one server' : `${imported.servers.length} servers`}.
            Choose the one to deploy now; the others wait on the Servers page.
          </p>
          <div className="choice-list" role="radiogroup" aria-label="Server to deploy">
            {imported.servers.map((s) => (
              <label
                key={s.name}
                className={draft.server === s.name ? 'choice-row is-selected' : 'choice-row'}
              >
                <input
                  type="radio"
                  name="wizard-imported-server"
                  checked={draft.server === s.name}
                  onChange={() => update({ server: s.name })}
                  data-testid={`wizard-imported-${s.name}`}
                />
                <span className="strong">{s.name}</span>
                <span className="tag">{s.source.kind}</span>
                <code className="muted">{s.source.value}</code>
                <span className={`tag tag-${s.mode}`}>{s.mode}</span>
              </label>
            ))}
          </div>
          {imported.warnings.length > 0 && (
            <ul className="notice notice-warn" data-testid="wizard-import-warnings">
              {imported.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <WizardFooter>
        {draft.start === 'import' && !imported ? (
          <Button type="submit" variant="primary" busy={importer.pending} data-testid="wizard-import">
            Import
          </Button>
        ) : (
          <Button type="submit" variant="primary" disabled={!canContinue} data-testid="wizard-next">
            Next
          </Button>
        )}
      </WizardFooter>
    </form>
  );
}
