/**
 * Reads JSON that may carry comments and trailing commas, as VS Code's and Cursor's mcp.json may.
 */
import { FleetError } from '../../shared/errors';

/** Parses `text`; throws FleetError('invalid_input') naming `source` (never quoting its content). */
export function parseJsonc(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // fall through to the tolerant reading
  }
  try {
    return JSON.parse(stripJsonc(text)) as unknown;
  } catch (err) {
    const detail = err instanceof SyntaxError ? err.message.replace(/"[^"]*"/g, '"…"') : 'not JSON';
    throw new FleetError('invalid_input', `${source} is not valid JSON (${detail})`);
  }
}

/** Drops // and /* *\/ comments and commas before } or ], leaving strings untouched. */
export function stripJsonc(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '"') {
      const start = i;
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      out += text.slice(start, i);
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j += 1;
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}
