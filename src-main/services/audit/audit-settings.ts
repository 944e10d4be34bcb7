/**
 * The audit trail's fleet-wide settings (issue 14): how many days calls are kept, and the operator's
 * OTLP/HTTP collector the trail is forwarded to, with the headers it wants (an API key, say). Not per
 * host and not among the runtime settings: the trail is the fleet's, kept and sent from this machine.
 * Header values are stored in the encrypted store and shown nowhere: listings, errors and the store's
 * own audit log name the header, never its value.
 */
import type { AuditSettingsInput, AuditSettingsView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { HIDDEN, MAX_HEADERS, MAX_URL_LENGTH, checkHeaders } from '../alerts/webhook-rules';
import type { AuditSettingsRecord } from '../store/audit-forward-repository';
import type { Store } from '../store/store';
import { DEFAULT_RETENTION_DAYS } from './audit-collector';

export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

/** Where and how to send: the URL as given and the headers with their values. Stays in the services. */
export interface OtlpTarget {
  url: string;
  headers: [string, string][];
}

/** Throws FleetError('invalid_input') for a retention that is not a whole number of days from 1 to 3650. */
export function checkRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    throw new FleetError(
      'invalid_input',
      `retention must be a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}, got ${String(days)}`,
    );
  }
  return days;
}

/**
 * Checks the OTLP logs URL (http or https, a host, no user name or password) and returns it without a
 * fragment; posted to as given, so it names the logs path itself (…:4318/v1/logs). Throws
 * FleetError('invalid_input'); the message never repeats the URL, which may carry a token in its query.
 */
export function checkOtlpUrl(text: string): string {
  const bad = (why: string): FleetError => new FleetError('invalid_input', `OTLP endpoint: ${why}`);
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw bad(`longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw bad('not a URL (expected http://collector:4318/v1/logs or https://…)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad(`${url.protocol.replace(/:$/, '')} is not an OTLP/HTTP scheme; use http or https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw bad('a user name or password in the URL is refused; give it as a header (--otlp-header)');
  }
  if (url.hostname === '') throw bad('no host');
  url.hash = '';
  return url.toString();
}

/** Checks the headers; throws FleetError('invalid_input') naming a header, never its value. */
export function checkOtlpHeaders(headers: readonly (readonly [string, string])[]): [string, string][] {
  if (headers.length > MAX_HEADERS) {
    throw new FleetError('invalid_input', `at most ${MAX_HEADERS} OTLP headers`);
  }
  return checkHeaders(headers);
}

/** The endpoint as shown: a query (which may carry a token) hidden. */
export function shownEndpoint(url: string | null): string | null {
  if (url === null) return null;
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search === '' ? '' : `?${HIDDEN}`}`;
  } catch {
    return HIDDEN;
  }
}

export class AuditSettingsService {
  constructor(
    private readonly store: Store,
    private readonly actor: string,
  ) {}

  /** The settings with header values hidden. */
  view(): AuditSettingsView {
    return toView(this.record());
  }

  /**
   * Changes what `input` names after checking all of it. Throws FleetError('invalid_input') for a
   * retention out of range, a bad URL or a bad header; nothing is saved then.
   */
  configure(input: AuditSettingsInput): AuditSettingsView {
    const now = this.record();
    const next: Omit<AuditSettingsRecord, 'updatedAt'> = {
      retentionDays:
        input.retentionDays === undefined ? now.retentionDays : checkRetentionDays(input.retentionDays),
      otlpUrl:
        input.otlpEndpoint === undefined
          ? now.otlpUrl
          : input.otlpEndpoint === null || input.otlpEndpoint.trim() === ''
            ? null
            : checkOtlpUrl(input.otlpEndpoint),
      otlpHeaders: input.otlpHeaders === undefined ? now.otlpHeaders : checkOtlpHeaders(input.otlpHeaders),
    };
    this.store.transaction(() => {
      this.store.auditForward.saveSettings(next);
      this.store.audit.append({
        actor: this.actor,
        action: 'audit.settings',
        target: 'audit',
        outcome: 'ok',
        detail: describe(next),
      });
    });
    return this.view();
  }

  /** Days calls are kept; read by the collector at every collection. */
  retentionDays(): number {
    return this.record().retentionDays;
  }

  /** Where to forward, with the header values; null while forwarding is off. */
  target(): OtlpTarget | null {
    const r = this.record();
    return r.otlpUrl === null ? null : { url: r.otlpUrl, headers: r.otlpHeaders };
  }

  private record(): AuditSettingsRecord {
    return this.store.auditForward.settings(DEFAULT_RETENTION_DAYS);
  }
}

function toView(r: AuditSettingsRecord): AuditSettingsView {
  return {
    retentionDays: r.retentionDays,
    otlpEndpoint: shownEndpoint(r.otlpUrl),
    otlpHeaders: r.otlpHeaders.map(([name]) => name),
    updatedAt: r.updatedAt,
  };
}

/** For the store's audit log: header values and a URL's query hidden. */
function describe(r: Omit<AuditSettingsRecord, 'updatedAt'>): string {
  const headers = r.otlpHeaders.map(([name]) => `${name}: ${HIDDEN}`).join(', ');
  return [
    `retention ${r.retentionDays} days`,
    `OTLP endpoint ${shownEndpoint(r.otlpUrl) ?? 'off'}`,
    `headers ${headers === '' ? 'none' : headers}`,
  ].join('; ');
}
