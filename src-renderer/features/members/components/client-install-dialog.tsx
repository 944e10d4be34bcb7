import { useState, type FormEvent } from 'react';
import {
  ClientInstallFormat,
  type ClientInstalled,
  type MemberView,
} from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { Dialog } from '../../../components/ui/dialog';
import { useApi } from '../../../lib/api-context';
import { FORMATS } from '../../export/components/export-panel';
import { useInstallClient } from '../hooks/use-members';

const FORM_ID = 'client-install-form';
const ID = 'client-install';

/** Where each client reads the file on Linux (other systems: its own folder), for the operator to recognise. */
const WHERE: Record<ClientInstallFormat, string> = {
  claude: 'Claude/claude_desktop_config.json',
  vscode: "VS Code's user mcp.json",
  cursor: '~/.cursor/mcp.json',
  codex: '~/.codex/config.toml',
  gemini: '~/.gemini/settings.json',
  windsurf: '~/.codeium/windsurf/mcp_config.json',
  zed: "Zed's settings.json",
  goose: "goose's config.yaml",
  continue: '~/.continue/mcpServers/',
};

const labelOf = (format: ClientInstallFormat) => FORMATS.find((f) => f.value === format)?.label ?? format;

/**
 * Installs one member's entry into a client's own configuration file (clients:install), as
 * `mcp-fleet clients install FORMAT SERVER --member M` does: a copy of the file first, every other
 * entry left as it is. The file is on the machine running the services; in web mode the dialog says so.
 */
export function ClientInstallDialog({ member, onClose }: { member: MemberView; onClose: () => void }) {
  const install = useInstallClient();
  const web = useApi().session !== null;
  const [format, setFormat] = useState<ClientInstallFormat>('cursor');
  const [inline, setInline] = useState(false);
  const [result, setResult] = useState<ClientInstalled | null>(null);
  // Zed expands no variables: a token by reference could never reach it.
  const inlineSecrets = inline || format === 'zed';
  const close = () => {
    if (!install.pending) onClose();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setResult(null);
    const answer = await install.run({ format, server: member.server, member: member.name, inlineSecrets });
    if (answer.ok) setResult(answer.data);
  }

  const footer = (
    <>
      <Button variant="ghost" onClick={close} disabled={install.pending} data-testid={`${ID}-cancel`}>
        {result ? 'Close' : 'Cancel'}
      </Button>
      <Button
        type="submit"
        form={FORM_ID}
        variant="primary"
        busy={install.pending}
        data-testid={`${ID}-submit`}
      >
        Install in {labelOf(format)}
      </Button>
    </>
  );

  return (
    <Dialog
      title={`Install ${member.server} for ${member.name} in a client`}
      onClose={close}
      footer={footer}
      testId={ID}
    >
      <form id={FORM_ID} onSubmit={(e) => void submit(e)} noValidate className="stack">
        <p className="muted">
          Adds {member.name}&apos;s entry for {member.server} to the client&apos;s configuration file on this
          computer. A copy of the file is kept first (FILE.bak-…), other entries stay exactly as they are, and
          a file that already has the entry is left alone.
        </p>
        {web && (
          <p className="notice notice-warn" data-testid={`${ID}-web-note`}>
            In web mode &ldquo;this computer&rdquo; is the machine running the MCP Fleet web server, not the
            one this browser runs on: the file is written in the home folder of the user who started{' '}
            <code>mcp-fleet serve</code>. For another machine, use the export panel below.
          </p>
        )}
        <fieldset className="settings-group" disabled={install.pending}>
          <legend>Client</legend>
          <div className="stack" role="radiogroup" aria-label="Client" style={{ gap: 4 }}>
            {ClientInstallFormat.options.map((f) => (
              <label key={f} className="check">
                <input
                  type="radio"
                  name={`${ID}-format`}
                  value={f}
                  checked={format === f}
                  data-testid={`${ID}-format-${f}`}
                  onChange={() => {
                    setFormat(f);
                    setResult(null);
                    install.reset();
                  }}
                />
                {labelOf(f)} <span className="muted mono">{WHERE[f]}</span>
              </label>
            ))}
          </div>
          <p className="field-hint">
            Claude Code keeps its user settings in its own state file: take its <code>claude mcp add</code>{' '}
            line from the export panel&apos;s Claude Code format instead.
          </p>
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={inlineSecrets}
            disabled={format === 'zed' || install.pending}
            data-testid={`${ID}-inline`}
            onChange={(e) => setInline(e.target.checked)}
          />
          Put the token in the file (the file is then readable by its owner only)
        </label>
        <p className="field-hint">
          {format === 'zed'
            ? 'Zed expands no variables, so its entry always carries the token.'
            : 'Otherwise the file names the token by reference (a variable, or a prompt, as the client supports): the notes after installing say where it goes.'}
        </p>
      </form>
      {install.error && <ErrorAlert error={install.error} testId={`${ID}-error`} />}
      {result && <InstallOutcome result={result} />}
    </Dialog>
  );
}

function InstallOutcome({ result }: { result: ClientInstalled }) {
  return (
    <div className="stack" style={{ gap: 6 }} data-testid={`${ID}-done`}>
      <p className="notice notice-ok">
        {result.outcome === 'created' && (
          <>
            Created <code data-testid={`${ID}-file`}>{result.file}</code> for {result.client}.
          </>
        )}
        {result.outcome === 'updated' && (
          <>
            Added the entry to <code data-testid={`${ID}-file`}>{result.file}</code> for {result.client}; the
            file as it was is kept as <code data-testid={`${ID}-backup`}>{result.backup}</code>.
          </>
        )}
        {result.outcome === 'unchanged' && (
          <>
            <code data-testid={`${ID}-file`}>{result.file}</code> already has this entry; nothing changed.
          </>
        )}
      </p>
      {result.notes.length > 0 && (
        <ul className="link-list">
          {result.notes.map((note) => (
            <li key={note} className="muted">
              {note}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
