/**
 * The firewall export: rules that admit the instances' published ports only from the allowed ranges,
 * defence in depth behind the bridge's tokens (the seed's "lock your server").
 *
 * Docker publishes ports with DNAT in its own chains, which INPUT rules (and ufw's usual ones) never
 * see; Docker's documented place for such rules is the DOCKER-USER chain. There the destination port
 * is already the container's, so the rules match the original port with conntrack --ctorigdstport.
 * The ufw form admits the ranges with `ufw route` rules (forwarded traffic, after DNAT, so they name
 * the container port) for hosts where ufw is wired into DOCKER-USER with a default deny, as ufw-docker
 * does; it adds no route deny of its own, which would hit every container listening on that port.
 * Host rules for the published port cover a bridge run on the host network.
 */
import type { Cidr } from '../instance-spec/address';
import { CONTAINER_PORT } from '../instance-spec/constants';
import { shellLine } from '../instance-spec/shell-words';
import { FleetError } from '../../shared/errors';

export interface FirewallInput {
  ports: readonly number[];
  cidrs: readonly Cidr[];
  title: string;
}

/** Throws FleetError('invalid_input') when no range is allowed: such rules would admit nobody. */
export function renderFirewall(input: FirewallInput): string {
  if (input.cidrs.length === 0) {
    throw new FleetError(
      'invalid_input',
      'no allowed addresses: give the ranges to admit with --allow-cidr (e.g. --allow-cidr 10.0.0.0/8)',
    );
  }
  const ports = [...new Set(input.ports)].sort((a, b) => a - b);
  // IPv6 rules go in only where Docker keeps an IPv6 DOCKER-USER chain (dockerd with ip6tables);
  // elsewhere the script would stop at its first ip6tables line under `set -e`.
  const rules = { 4: [] as string[], 6: [] as string[] };
  for (const port of ports) {
    for (const family of [4, 6] as const) {
      const tool = family === 4 ? 'iptables' : 'ip6tables';
      const cidrs = input.cidrs.filter((c) => c.family === family);
      const match = ['-p', 'tcp', '-m', 'conntrack', '--ctorigdstport', String(port), '--ctdir', 'ORIGINAL'];
      const drop = [tool, 'DOCKER-USER', ...match, '-j', 'DROP'];
      // Insert the drop unless present, then (re)insert each admit rule at the top, above it: the
      // order holds however often the script runs.
      rules[family].push(
        `${shellLine([tool, '-C', ...drop.slice(1)])} 2>/dev/null || ${shellLine([tool, '-I', ...drop.slice(1)])}`,
      );
      for (const cidr of cidrs) {
        const admit = ['DOCKER-USER', '-s', cidr.text, ...match, '-j', 'RETURN'];
        rules[family].push(`${shellLine([tool, '-D', ...admit])} 2>/dev/null || true`);
        rules[family].push(shellLine([tool, '-I', ...admit]));
      }
    }
  }
  const iptables = [
    ...rules[4],
    'if ip6tables -S DOCKER-USER >/dev/null 2>&1; then',
    ...rules[6].map((line) => `  ${line}`),
    'else',
    "  echo 'no IPv6 DOCKER-USER chain (Docker without ip6tables): no IPv6 rules needed' >&2",
    'fi',
  ];
  const ufw: string[] = [];
  for (const cidr of input.cidrs) {
    ufw.push(
      shellLine([
        'ufw',
        'route',
        'allow',
        'proto',
        'tcp',
        'from',
        cidr.text,
        'to',
        'any',
        'port',
        String(CONTAINER_PORT),
      ]),
    );
  }
  for (const port of ports) {
    for (const cidr of input.cidrs) {
      ufw.push(
        shellLine(['ufw', 'allow', 'proto', 'tcp', 'from', cidr.text, 'to', 'any', 'port', String(port)]),
      );
    }
    ufw.push(shellLine(['ufw', 'deny', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', String(port)]));
  }
  return [
    '#!/bin/sh',
    `# MCP Fleet: ${input.title.replace(/[\r\n]/g, ' ')}`,
    `# Admits TCP port(s) ${ports.join(', ')} only from: ${input.cidrs.map((c) => c.text).join(', ')}.`,
    "# Run as root: `sh THIS_FILE iptables` (default; rules in Docker's DOCKER-USER chain) or",
    '# `sh THIS_FILE ufw` (ufw route rules for the forwarded traffic, plus host rules for the port).',
    'set -e',
    'case "${1:-iptables}" in',
    'iptables)',
    ...iptables.map((line) => `  ${line}`),
    '  ;;',
    'ufw)',
    ...ufw.map((line) => `  ${line}`),
    '  ;;',
    '*)',
    "  echo 'usage: sh THIS_FILE [iptables|ufw]' >&2",
    '  exit 2',
    '  ;;',
    'esac',
    '',
  ].join('\n');
}
