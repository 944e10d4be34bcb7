import { readFileSync } from 'node:fs';
import { describeError } from '../errors';

const RTF_UP = 0x1;

/**
 * The IPv4 default gateway in the text of /proc/net/route, or undefined when there is none. Columns are
 * tab-separated; Destination, Gateway and Mask are 32-bit hex in the kernel's (little-endian) byte
 * order, so `010011AC` is 172.17.0.1. Of several default routes the one with the lowest metric wins.
 */
export function parseDefaultGateway(routeTable: string): string | undefined {
  let best: { address: string; metric: number } | undefined;
  for (const line of routeTable.split('\n').slice(1)) {
    const [, destination, gateway, flags, , , metric, mask] = line.trim().split(/\s+/);
    if (destination !== '00000000' || gateway === undefined || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    if (mask !== undefined && mask !== '00000000') continue;
    if (flags !== undefined && (parseInt(flags, 16) & RTF_UP) === 0) continue;
    const value = parseInt(gateway, 16);
    // A default route straight out of an interface (no next hop) names no gateway.
    if (value === 0) continue;
    const address = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24].join('.');
    const rank = Number(metric ?? 0) || 0;
    if (best === undefined || rank < best.metric) best = { address, metric: rank };
  }
  return best?.address;
}

/** Reads the default gateway at start; `error` says why there is none when the table was unreadable. */
export function readDefaultGateway(path = '/proc/net/route'): { address?: string; error?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { error: describeError(err) };
  }
  const address = parseDefaultGateway(text);
  return address === undefined ? {} : { address };
}
