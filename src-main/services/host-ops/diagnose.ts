/**
 * Why an instance did not come up, in words that name the limit to relax. Instances run hardened by
 * default (read-only root, /tmp a small noexec tmpfs, uid 10001 without capabilities, pids and memory
 * limits); a server that needs more fails, and its log says which limit it hit.
 */

export interface Diagnosis {
  /** The last meaningful lines of the server's stderr (or the bridge's own error), secrets excluded. */
  excerpt: string;
  /** The limit to relax, when the log points at one. */
  hint: string | null;
}

const HINTS: [RegExp, string][] = [
  [
    /EROFS|read-only file system/i,
    'it writes outside /tmp and its state volume, and the root filesystem is read-only: point its data path into /tmp (or a volume), or deploy it without the read-only root',
  ],
  [/ENOSPC|no space left/i, 'its /tmp is full: raise the /tmp size (deploy --tmpfs-size, e.g. 256m)'],
  [
    /noexec|exec format|EACCES.*\/tmp\/|spawn .*\/tmp\/.* EACCES/i,
    'it executes files from /tmp, which is mounted noexec: allow it with deploy --tmp-exec',
  ],
  [
    /EAGAIN|Resource temporarily unavailable|fork: retry|pthread_create/i,
    'it hit the process limit: raise it (deploy --pids, e.g. 512)',
  ],
  [
    /JavaScript heap out of memory|Cannot allocate memory|ENOMEM|out of memory/i,
    'it ran out of memory: raise the memory limit (deploy --memory, e.g. 1g)',
  ],
  [
    /EPERM|operation not permitted/i,
    'it needs a privilege the container drops (all capabilities, no-new-privileges, uid 10001): it cannot run hardened as is',
  ],
  [
    /EACCES|permission denied/i,
    'it runs as uid 10001 and may not write where it tries to: point its data path into /tmp or its state volume',
  ],
];

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Lines of the bridge's JSON log that carry what the server printed or why it stopped. */
function interesting(line: string): string | null {
  const text = line.trim();
  if (text === '') return null;
  if (!text.startsWith('{')) return text;
  try {
    const entry = JSON.parse(text) as Record<string, unknown>;
    const event = textOf(entry.event ?? entry.msg);
    if (event === 'child_stderr') return textOf(entry.line ?? entry.text ?? entry.message);
    if (/exit|error|fail|refus/i.test(event)) {
      const detail = textOf(entry.error ?? entry.reason ?? entry.message ?? entry.code ?? entry.signal);
      return `${event}${detail === '' ? '' : `: ${detail}`}`;
    }
    return null;
  } catch {
    return text;
  }
}

/**
 * Reads the container's log lines (and whether the kernel killed it for memory) into a diagnosis.
 * `secrets` (the instance's secret values) are masked: a server may print its own environment.
 */
export function diagnose(
  logLines: readonly string[],
  oomKilled = false,
  secrets: readonly string[] = [],
): Diagnosis {
  const mask = (line: string): string =>
    secrets.reduce((text, secret) => (secret.length >= 4 ? text.split(secret).join('••••') : text), line);
  const kept = logLines
    .map(interesting)
    .filter((l): l is string => l !== null && l !== '')
    .map(mask);
  // A stack trace ends in frames: the line that names the error says more than the last lines.
  const named = kept.filter((l) => /\b\w*Error\b|\berror:/i.test(l) && !/^\s*at /.test(l)).slice(-1);
  const tail = kept.filter((l) => !/^\s*at /.test(l)).slice(-2);
  const excerpt = [...new Set([...named, ...tail])].join(' | ').slice(0, 600);
  if (oomKilled) {
    return {
      excerpt,
      hint: 'the kernel killed it for memory: raise the memory limit (deploy --memory, e.g. 1g)',
    };
  }
  const all = kept.join('\n');
  const hit = HINTS.find(([pattern]) => pattern.test(all));
  return { excerpt, hint: hit ? hit[1] : null };
}
