/**
 * Comment lines telling the operator which files an export expects beside it and what they hold:
 * the members file (token hashes only) in full, the env file's plain lines, and its secret lines only
 * when the operator asked for inline secrets.
 */
import type { InstanceSpec } from '../instance-spec/types';

/** Lines without the leading "# "; the caller prefixes them as its format comments. */
export function fileNotes(spec: InstanceSpec, dir: string, inlineSecrets: boolean): string[] {
  const env = spec.files.env;
  const envText = inlineSecrets ? env.content : env.plainContent;
  const lines = [
    `${dir}/members.json (mode 0600):`,
    ...indent(spec.files.members.content),
    `${dir}/env (mode 0600):`,
    ...indent(envText),
  ];
  if (!inlineSecrets && env.secretKeys.length > 0) {
    lines.push(
      `  ...followed by one KEY="value" line with the secret value of each of: ${env.secretKeys.join(', ')}`,
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
