/**
 * Comment lines telling the operator which files an export expects beside it and what they hold:
 * the members file (token hashes only) and the TLS certificate in full, the env file's plain lines,
 * and its secret lines and the TLS private key only when the operator asked for inline secrets.
 */
import type { InstanceSpec } from '../instance-spec/types';
import { tlsNote } from './tls-notes';

/** Lines without the leading "# "; the caller prefixes them as its format comments. */
export function fileNotes(spec: InstanceSpec, dir: string, inlineSecrets: boolean): string[] {
  const { env, members, tls } = spec.files;
  const envText = inlineSecrets ? env.content : env.plainContent;
  const lines = [
    tlsNote(tls?.cert.content ?? null, `instance ${spec.container.name ?? spec.server}`),
    `${dir}/members.json (mode 0600):`,
    ...indent(members.content),
    `${dir}/env (mode 0600):`,
    ...indent(envText),
  ];
  if (!inlineSecrets && env.secretKeys.length > 0) {
    lines.push(
      `  ...followed by one KEY="value" line with the secret value of each of: ${env.secretKeys.join(', ')}`,
    );
  }
  if (tls !== null) {
    lines.push(`${dir}/tls.crt (mode 0600):`, ...indent(tls.cert.content), `${dir}/tls.key (mode 0600):`);
    lines.push(
      ...(inlineSecrets
        ? indent(tls.key.content)
        : [
            '  the private key of the certificate above (PEM, unencrypted); export with --inline-secrets to have it here',
          ]),
    );
  }
  return lines;
}

function indent(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `  ${line}`);
}

/** Prefixes each line as a `#` comment, keeping comments one line each whatever a value holds. */
export function asComments(lines: readonly string[]): string {
  return lines.map((line) => `# ${line.replace(/[\r\n]/g, ' ')}`.trimEnd()).join('\n');
}
