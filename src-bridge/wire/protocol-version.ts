/** MCP protocol revisions the bridge speaks, newest first. */
export const SUPPORTED_VERSIONS = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
] as const;
export const LATEST_VERSION = SUPPORTED_VERSIONS[0];

export function isSupportedVersion(version: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(version);
}

/**
 * The version to answer a client's initialize with. The child speaks one version (what it answered the
 * bridge); a client asking for that one or an older supported one gets what it asked for, since the
 * messages of older revisions are a subset; a client asking for anything newer or unknown is offered the
 * child's version and decides for itself whether to go on.
 */
export function negotiateVersion(requested: unknown, childVersion: string): string {
  if (typeof requested !== 'string' || !isSupportedVersion(requested)) return childVersion;
  // Revision names are dates, so they compare as strings.
  return requested <= childVersion ? requested : childVersion;
}
