// Docker's multiplexed log format read whole (demuxBuffer) gives the lines the streaming reader
// (demuxLines) gives, for any cut of the same bytes into chunks: frames split mid-line, lines split
// across frames, both streams interleaved, a last line without its newline, and a TTY log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demuxBuffer, demuxLines, type LogLine } from './log-stream';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

async function streamed(buf: Buffer, tty: boolean, cut: number): Promise<LogLine[]> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < buf.length; at += cut) chunks.push(buf.subarray(at, at + cut));
  const lines: LogLine[] = [];
  for await (const line of demuxLines(
    (async function* () {
      yield* chunks;
    })(),
    tty,
  ))
    lines.push(line);
  return lines;
}

void describe('demuxBuffer', () => {
  void it('reads whole logs as the streaming reader reads them in any chunks', async () => {
    const log = Buffer.concat([
      frame(1, 'one\ntw'),
      frame(2, 'err é\r\n'),
      frame(1, 'o\nthree'),
      frame(2, 'tail without newline'),
      frame(1, '\n\nlast'),
    ]);
    const whole = demuxBuffer(log, false);
    assert.deepEqual(whole, [
      { stream: 'stdout', text: 'one' },
      { stream: 'stderr', text: 'err é' },
      { stream: 'stdout', text: 'two' },
      { stream: 'stdout', text: 'three' },
      { stream: 'stdout', text: '' },
      { stream: 'stdout', text: 'last' },
      { stream: 'stderr', text: 'tail without newline' },
    ]);
    for (const cut of [1, 3, 8, 13, log.length]) assert.deepEqual(await streamed(log, false, cut), whole);
    const tty = Buffer.from('a\nb\r\nc', 'utf8');
    assert.deepEqual(demuxBuffer(tty, true), await streamed(tty, true, 2));
    // A frame cut short at the end (a log read as the container writes) is left out, not misread.
    assert.deepEqual(demuxBuffer(frame(1, 'whole\n').subarray(0, 10), false), []);
  });
});
