/** A server's mode change (servers set --mode) as lines, for the CLI, the progress stream and the UI. */
import type { ModeChange } from './contract';

const WORD = { shared: 'Shared', dedicated: 'Dedicated' } as const;

/** Per host what goes and what is made, then what does not carry over. */
export function modeChangeReport(server: string, change: ModeChange): string[] {
  return [
    `mode of ${server}: ${WORD[change.from]} -> ${WORD[change.to]}`,
    ...change.hosts.flatMap((h) => [
      `  on ${h.host}: remove ${h.remove.join(', ') || 'nothing'}`,
      `  on ${h.host}: create ${h.create.join(', ') || 'nothing'}`,
    ]),
    ...change.notes.map((note) => `  ${note}`),
  ];
}
