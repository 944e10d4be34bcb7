import { checkRootRules, splitRootFlag, type BridgeRoot } from '../../src-main/shared/bridge-settings';
import { BridgeError } from '../errors';

/** A root as MCP's roots/list result carries it (2025-11-25: the uri must be a file:// URI). */
export type Root = BridgeRoot;

/**
 * `--root URI` or `--root URI=NAME`. The first `=` ends the URI, so a URI that holds one must write it
 * as %3D; everything after it is the name.
 */
export function parseRootFlag(text: string): Root {
  return checkRoot(splitRootFlag(text));
}

/**
 * A root the operator gave, checked as MCP's Root schema has it (the rules are shared with the app,
 * src-main/shared/bridge-settings.ts, so what it saves is what the bridge accepts). Throws BridgeError.
 */
export function checkRoot(root: Root): Root {
  const checked = checkRootRules(root);
  if (!checked.ok) throw new BridgeError('invalid_input', checked.message);
  return checked.root;
}
