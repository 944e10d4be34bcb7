import { BridgeError } from './errors';

/** A root as MCP's roots/list result carries it (2025-11-25: the uri must be a file:// URI). */
export interface Root {
  uri: string;
  name?: string;
}

/** C0 and C1 control characters and DEL: nothing a server should print or a path should hold. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * `--root URI` or `--root URI=NAME`. The first `=` ends the URI, so a URI that holds one must write it
 * as %3D; everything after it is the name.
 */
export function parseRootFlag(text: string): Root {
  const eq = text.indexOf('=');
  return eq < 0 ? checkRoot({ uri: text }) : checkRoot({ uri: text.slice(0, eq), name: text.slice(eq + 1) });
}

/**
 * A root the operator gave, checked as MCP's Root schema has it: a `file://` URI (the only scheme the
 * 2025-11-25 revision allows), and an optional name; both printable. Throws BridgeError.
 */
export function checkRoot(root: Root): Root {
  const shown = JSON.stringify(root.uri.slice(0, 200));
  if (!root.uri.startsWith('file://'))
    throw new BridgeError('invalid_input', `--root ${shown} must be a file:// URI, such as file:///srv/data`);
  let parsed: URL;
  try {
    parsed = new URL(root.uri);
  } catch {
    throw new BridgeError('invalid_input', `--root ${shown} is not a valid URI`);
  }
  if (parsed.protocol !== 'file:' || /\s/.test(root.uri) || hasControl(root.uri) || root.uri.length > 2048)
    throw new BridgeError(
      'invalid_input',
      `--root ${shown} must be a file:// URI without spaces or control characters (escape them as %20 and the like)`,
    );
  if (root.name === undefined) return { uri: root.uri };
  const name = root.name.trim();
  if (name === '' || name.length > 200 || hasControl(name))
    throw new BridgeError(
      'invalid_input',
      `the name of --root ${shown} must be 1 to 200 printable characters (URI=NAME)`,
    );
  return { uri: root.uri, name };
}
