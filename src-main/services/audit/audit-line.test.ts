// Unit: reading audit lines out of docker's log (hostile input: forged, escaped, garbage), the docker
// timestamps the cursor compares, --since, and CSV that a spreadsheet opens without running anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditCallView } from '../../shared/contract';
import { sinceValue } from '../../cli/commands/audit';
import { auditCsv, auditJsonLines, csvField } from './audit-export';
import { normalizeDockerTs, parseAuditLine, sinceSeconds, sinceText, splitTimestamp } from './audit-line';

const LINE = {
  ts: '2025-03-01T10:00:00.123Z',
  level: 'info',
  event: 'audit',
  member: 'alice',
  session: 's-1',
  method: 'tools/call',
  tool: 'echo',
  outcome: 'ok',
  ms: 1.25,
  cid: 'AbC_-123xyz0',
};

void describe('parseAuditLine', () => {
  void it('reads a bridge audit line: names, outcome, duration, correlation id', () => {
    assert.deepEqual(parseAuditLine(JSON.stringify(LINE)), {
      at: '2025-03-01T10:00:00.123Z',
      member: 'alice',
      session: 's-1',
      method: 'tools/call',
      target: 'echo',
      outcome: 'ok',
      ms: 1.25,
      correlationId: 'AbC_-123xyz0',
    });
    const { tool: _tool, ...rest } = LINE;
    assert.equal(
      parseAuditLine(JSON.stringify({ ...rest, method: 'prompts/get', prompt: 'p' }))?.target,
      'p',
    );
    assert.equal(
      parseAuditLine(JSON.stringify({ ...rest, method: 'resources/read', uri: 'file:///x' }))?.target,
      'file:///x',
    );
  });

  void it('takes no line that is not a top-level bridge audit line', () => {
    // What the bridge makes of a server printing a forged audit line on its stderr.
    const wrapped = JSON.stringify({
      ts: LINE.ts,
      level: 'info',
      event: 'child_stderr',
      line: JSON.stringify(LINE),
    });
    const cases = [
      wrapped,
      JSON.stringify({ ...LINE, event: 'audit_x' }),
      JSON.stringify({ ...LINE, level: 'debug' }),
      JSON.stringify({ ...LINE, member: 7 }),
      JSON.stringify({ ...LINE, method: undefined }),
      JSON.stringify([LINE]),
      `${JSON.stringify(LINE)} trailing`,
      `prefix ${JSON.stringify(LINE)}`,
      '{"event":"audit"',
      '',
      'Starting server on stdio\u0000',
      JSON.stringify({ ...LINE, member: 'x'.repeat(20_000) }),
    ];
    for (const line of cases) assert.equal(parseAuditLine(line), null, line.slice(0, 80));
  });

  void it('keeps hostile names as text: control characters replaced, lengths bounded, bad ids dropped', () => {
    const call = parseAuditLine(
      JSON.stringify({
        ...LINE,
        member: 'mal\u001b[31mlory\u009b',
        tool: 'a'.repeat(5000),
        cid: 'not a cid!',
        ms: -5,
        ts: 'yesterday',
      }),
    );
    assert.equal(call?.member, 'mal\uFFFD[31mlory\uFFFD');
    assert.equal(call?.target?.length, 1000);
    assert.equal(call?.correlationId, null);
    assert.equal(call?.ms, null);
    assert.equal(call?.at, null, 'the caller falls back to docker time');
  });
});

void describe('docker timestamps', () => {
  void it('normalizes to nine digits in UTC so that string order is time order', () => {
    assert.equal(normalizeDockerTs('2025-03-01T10:00:00.1Z'), '2025-03-01T10:00:00.100000000Z');
    assert.equal(normalizeDockerTs('2025-03-01T10:00:00Z'), '2025-03-01T10:00:00.000000000Z');
    assert.equal(normalizeDockerTs('2025-03-01T11:00:00.5+01:00'), '2025-03-01T10:00:00.500000000Z');
    assert.equal(normalizeDockerTs('2025-03-01 10:00:00Z'), null);
    const a = normalizeDockerTs('2025-03-01T10:00:00.1Z') ?? '';
    const b = normalizeDockerTs('2025-03-01T10:00:00.12Z') ?? '';
    assert.ok(a < b);
    assert.equal(sinceSeconds(a), Date.parse('2025-03-01T10:00:00Z') / 1000);
    // Docker's own nine-digit UTC stamp is taken as it is; one out of range is not a stamp.
    assert.equal(normalizeDockerTs('2025-03-01T10:00:00.123456789Z'), '2025-03-01T10:00:00.123456789Z');
    assert.equal(normalizeDockerTs('2025-13-01T10:00:00.123456789Z'), null);
    // `since` to the microsecond, never after the stamp.
    const since = sinceText('2025-03-01T10:00:00.123456789Z');
    assert.equal(since, `${Date.parse('2025-03-01T10:00:00Z') / 1000}.123456`);
    assert.ok(Number(since) * 1000 <= Date.parse('2025-03-01T10:00:00.124Z'));
  });

  void it('takes the line time as written when it has the form of toISOString, else through Date', () => {
    const line = (ts: unknown) =>
      JSON.stringify({ ts, level: 'info', event: 'audit', member: 'm', method: 'ping', outcome: 'ok' });
    assert.equal(parseAuditLine(line('2025-03-01T10:00:00.123Z'))?.at, '2025-03-01T10:00:00.123Z');
    assert.equal(parseAuditLine(line('2025-03-01T11:00:00.5+01:00'))?.at, '2025-03-01T10:00:00.500Z');
    assert.equal(parseAuditLine(line('2025-03-01T25:00:00.123Z'))?.at, null);
    assert.equal(parseAuditLine(line(7))?.at, null);
  });

  void it('splits a log line into its timestamp and the line, and refuses one without', () => {
    assert.deepEqual(splitTimestamp('2025-03-01T10:00:00.123456789Z {"a":1} b'), {
      ts: '2025-03-01T10:00:00.123456789Z',
      text: '{"a":1} b',
    });
    assert.equal(splitTimestamp('{"event":"audit"}'), null);
  });
});

void describe('--since', () => {
  void it('takes ISO times and spans back from now, and refuses anything else', () => {
    const now = Date.parse('2025-03-08T00:00:00Z');
    assert.equal(sinceValue('7d', now), '2025-03-01T00:00:00.000Z');
    assert.equal(sinceValue('1h', now), '2025-03-07T23:00:00.000Z');
    assert.equal(sinceValue('2025-03-01T10:00:00+01:00', now), '2025-03-01T09:00:00.000Z');
    assert.equal(sinceValue('2025-03-01', now), '2025-03-01T00:00:00.000Z');
    for (const bad of ['7 days', '-1h', 'yesterday', '1e3', '2025-13-45'])
      assert.throws(() => sinceValue(bad, now), /--since/);
  });
});

void describe('CSV and JSON Lines', () => {
  const call = (over: Partial<AuditCallView>): AuditCallView => ({
    at: '2025-03-01T10:00:00.123Z',
    server: 'srv',
    instance: 'mcp-fleet-srv',
    member: 'alice',
    session: 's',
    method: 'tools/call',
    target: 'echo',
    outcome: 'ok',
    ms: 2.5,
    correlationId: 'cid',
    collectedAt: '2025-03-01T10:00:01.000Z',
    ...over,
  });

  void it('quotes per RFC 4180 and neutralises formula starts', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    for (const start of ['+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      assert.ok(csvField(start).replace(/^"/, '').startsWith("'"));
    assert.equal(csvField(null), '');
    assert.equal(csvField(12.5), '12.5');
  });

  void it('writes a header and one line per call that a CSV reader splits back into the same cells', () => {
    const hostile = call({ member: '=cmd|" /C calc"!A0', target: 'a,b\r\nc' });
    const text = auditCsv([call({}), hostile]);
    assert.ok(
      text.startsWith('at,server,instance,member,session,method,target,outcome,ms,correlation_id\r\n'),
    );
    const rows = parseCsv(text);
    assert.equal(rows.length, 3);
    assert.equal(rows[2]?.[3], `'=cmd|" /C calc"!A0`);
    assert.equal(rows[2]?.[6], 'a,b\r\nc');
    assert.ok(rows.every((r) => r.length === 10));
    assert.deepEqual(
      auditJsonLines([hostile])
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditCallView),
      [hostile],
    );
  });
});

/** A small RFC 4180 reader, to check the writer against. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}
