/** What a webhook receives: generic JSON, or a Slack-compatible `{ "text": … }`. */
import type { WebhookFormat } from '../store/alert-repository';

export interface WebhookMessage {
  /** An alert kind, or `test` and `alerts_held` (the rate limit's summary). */
  kind: string;
  severity: string;
  subject: string;
  message: string;
  /** ISO */
  at: string;
  fleet: string;
}

export function webhookBody(format: WebhookFormat, m: WebhookMessage): unknown {
  switch (format) {
    case 'generic':
      return {
        kind: m.kind,
        severity: m.severity,
        subject: m.subject,
        message: m.message,
        at: m.at,
        fleet: m.fleet,
      };
    case 'slack':
      return { text: slackText(m) };
  }
}

/**
 * One line of Slack mrkdwn. Subjects and messages can quote a container or a tool description, so
 * `&`, `<` and `>` are escaped as Slack asks: no `<!channel>` or link can be smuggled in.
 */
function slackText(m: WebhookMessage): string {
  const mark =
    m.severity === 'critical'
      ? ':red_circle:'
      : m.severity === 'warning'
        ? ':warning:'
        : ':information_source:';
  return `${mark} *${escape(m.subject)}* (${escape(m.kind)}, ${escape(m.fleet)}): ${escape(m.message)}`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
