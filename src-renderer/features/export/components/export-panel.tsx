import { useState } from 'react';
import type { ExportFormat, HostView, ServerView } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { CodeBlock } from '../../../components/ui/code-block';
import { CopyButton } from '../../../components/ui/copy-button';
import { SaveButton } from '../../../components/ui/save-button';
import { useExport } from '../hooks/use-export';

export const FORMATS: { value: ExportFormat; label: string; hint: string }[] = [
  {
    value: 'docker-run',
    label: 'docker run',
    hint: 'One command to paste on the host: builds the image, then starts the instance exactly as deploy does.',
  },
  { value: 'compose', label: 'Compose', hint: 'A Docker Compose file with the same hardening flags.' },
  {
    value: 'swarm',
    label: 'Swarm stack',
    hint: 'A stack file for docker stack deploy; secrets as Docker secrets.',
  },
  { value: 'k8s', label: 'Kubernetes', hint: 'Deployment, Service, Secret and NetworkPolicy manifests.' },
  {
    value: 'firewall',
    label: 'Firewall',
    hint: 'iptables (DOCKER-USER) and ufw rules admitting only the allowed addresses.',
  },
  { value: 'claude', label: 'Claude Desktop', hint: "A member's claude_desktop_config.json entry." },
  { value: 'vscode', label: 'VS Code', hint: "A member's .vscode/mcp.json entry." },
  { value: 'cursor', label: 'Cursor', hint: "A member's .cursor/mcp.json entry." },
  {
    value: 'claude-code',
    label: 'Claude Code',
    hint: "A member's .mcp.json entry (and the claude mcp add line).",
  },
  { value: 'codex', label: 'Codex', hint: "A member's ~/.codex/config.toml table." },
  { value: 'gemini', label: 'Gemini CLI', hint: "A member's ~/.gemini/settings.json entry." },
  { value: 'windsurf', label: 'Windsurf', hint: "A member's mcp_config.json entry." },
  {
    value: 'zed',
    label: 'Zed',
    hint: "A member's settings.json context_servers entry (Zed expands no variables: a placeholder unless inline).",
  },
  { value: 'goose', label: 'goose', hint: "A member's ~/.config/goose/config.yaml extension." },
  { value: 'continue', label: 'Continue', hint: "A member's ~/.continue/mcpServers block file." },
];

const CLIENT_FORMATS = new Set<ExportFormat>([
  'claude',
  'vscode',
  'cursor',
  'claude-code',
  'codex',
  'gemini',
  'windsurf',
  'zed',
  'goose',
  'continue',
]);

export interface ExportPanelProps {
  server: ServerView;
  /** Members of the server, when the services list them; an export can then be made for one. */
  members?: readonly string[];
  hosts: readonly HostView[];
  /** The host the server runs on, preselected. */
  host?: string | undefined;
  member?: string | undefined;
  initialFormat?: ExportFormat;
}

/** Every export format of a server: choose, read, copy, save. */
export function ExportPanel({
  server,
  members = [],
  hosts,
  host,
  member,
  initialFormat = 'docker-run',
}: ExportPanelProps) {
  const [format, setFormat] = useState<ExportFormat>(initialFormat);
  const [hostName, setHostName] = useState<string>(host ?? '');
  const [memberName, setMemberName] = useState<string>(member ?? '');
  const [inlineSecrets, setInlineSecrets] = useState(false);
  const [cidrs, setCidrs] = useState('');
  // Applied on Enter or leaving the field: every render is an audited export, not one per keystroke.
  const [appliedCidrs, setAppliedCidrs] = useState('');
  const allowCidrs = appliedCidrs.split(/[\s,]+/).filter(Boolean);
  const exported = useExport({
    server: server.name,
    format,
    inlineSecrets,
    allowCidrs,
    ...(hostName ? { host: hostName } : {}),
    ...(memberName ? { member: memberName } : {}),
  });
  const formatInfo = FORMATS.find((f) => f.value === format) ?? FORMATS[0];
  const needsMember = CLIENT_FORMATS.has(format) || server.mode === 'dedicated';

  return (
    <section className="panel export-panel" data-testid="export-panel" aria-labelledby="export-title">
      <header className="panel-header">
        <h2 id="export-title">Export</h2>
        <span className="muted">{formatInfo?.hint}</span>
      </header>
      <div className="tabs" role="tablist" aria-label="Export format">
        {FORMATS.map((f) => (
          <button
            key={f.value}
            type="button"
            role="tab"
            aria-selected={f.value === format}
            className={f.value === format ? 'tab is-active' : 'tab'}
            data-testid={`export-format-${f.value}`}
            onClick={() => setFormat(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>
      <div className="export-options">
        <label className="inline-field">
          <span>Host</span>
          <select value={hostName} onChange={(e) => setHostName(e.target.value)} data-testid="export-host">
            <option value="">this machine</option>
            {hosts.map((h) => (
              <option key={h.name} value={h.name}>
                {h.name}
              </option>
            ))}
          </select>
        </label>
        {needsMember && (
          <label className="inline-field">
            <span>Member</span>
            <select
              value={memberName}
              onChange={(e) => setMemberName(e.target.value)}
              data-testid="export-member"
            >
              <option value="">{CLIENT_FORMATS.has(format) ? 'the only member' : 'every member'}</option>
              {members.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        )}
        {!CLIENT_FORMATS.has(format) && (
          <label className="inline-field grow">
            <span>Allowed addresses</span>
            <input
              className="mono"
              placeholder="any (e.g. 10.0.0.0/8, 192.168.1.5)"
              value={cidrs}
              spellCheck={false}
              onChange={(e) => setCidrs(e.target.value)}
              onBlur={() => setAppliedCidrs(cidrs)}
              onKeyDown={(e) => e.key === 'Enter' && setAppliedCidrs(cidrs)}
              data-testid="export-cidrs"
            />
          </label>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={inlineSecrets}
            onChange={(e) => setInlineSecrets(e.target.checked)}
            data-testid="export-inline-secrets"
          />
          secrets inline
        </label>
      </div>
      {exported.error && <ErrorAlert error={exported.error} testId="export-error" />}
      {exported.result?.containsSecrets && (
        <p className="notice notice-warn" data-testid="export-secret-warning">
          This text holds secret values or a token. Share it only with whoever may use them.
        </p>
      )}
      {exported.result?.notes && exported.result.notes.length > 0 && (
        <ul className="notice" data-testid="export-notes">
          {exported.result.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <CodeBlock
        label={exported.result?.filename ?? formatInfo?.label ?? ''}
        text={exported.result?.content ?? ''}
        busy={exported.pending}
        testId="export-content"
        actions={
          exported.result && (
            <>
              <CopyButton text={exported.result.content} testId="export-copy" />
              <SaveButton
                text={exported.result.content}
                filename={exported.result.filename}
                testId="export-save"
              />
            </>
          )
        }
      />
    </section>
  );
}
