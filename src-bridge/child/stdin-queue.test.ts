import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ChildCharge, FairStdinQueue } from './stdin-queue';
import { waitFor } from '../test-helpers';

/** A pipe whose reader takes one line only when the test says so, as a busy child would. */
function slowPipe(): { out: Writable; written: string[]; readOne(): Promise<void> } {
  const written: string[] = [];
  const callbacks: (() => void)[] = [];
  const out = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString().trimEnd());
      callbacks.push(() => callback());
    },
  });
  return {
    out,
    written,
    // 'drain' comes on the next tick after the write completes.
    readOne: async () => {
      callbacks.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('FairStdinQueue', () => {
  it('writes at once while the pipe keeps up, and takes turns between owners once it does not', async () => {
    const pipe = slowPipe();
    const queue = new FairStdinQueue(pipe.out);
    const big = (n: number) => `bob-${n}-${'x'.repeat(100)}`;
    queue.write(big(1), 'bob');
    assert.deepEqual(pipe.written, [big(1)], 'nothing waited: written at once');
    for (const n of [2, 3, 4]) queue.write(big(n), 'bob');
    queue.write('alice-1', 'alice');
    queue.write('bridge-1', '');
    assert.equal(pipe.written.length, 1, 'the pipe is full: the rest waits');
    assert.equal(queue.queued('bob'), 3 * big(2).length);
    assert.equal(queue.queued('alice'), 'alice-1'.length);
    for (let i = 0; i < 5; i++) await pipe.readOne();
    // Alice's line waits behind one more of Bob's, not behind all three.
    assert.deepEqual(pipe.written, [big(1), big(2), 'alice-1', 'bridge-1', big(3), big(4)]);
    assert.equal(queue.queued('bob'), 0);
  });

  it('keeps each owner in order', async () => {
    const pipe = slowPipe();
    const queue = new FairStdinQueue(pipe.out);
    queue.write('x'.repeat(32), 'a');
    for (let i = 0; i < 5; i++) queue.write(`a${i}`, 'a');
    for (let i = 0; i < 5; i++) await pipe.readOne();
    assert.deepEqual(pipe.written.slice(1), ['a0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('writes a long line with its newline, in turn with the other owners', async () => {
    // A pipe that takes several chunks in one write, as the child's stdin does.
    let text = '';
    let release: (() => void) | undefined;
    const out = new Writable({
      highWaterMark: 16,
      writev(chunks, callback) {
        text += chunks.map(({ chunk }) => String(chunk)).join('');
        release = () => callback();
      },
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        release = () => callback();
      },
    });
    const queue = new FairStdinQueue(out);
    const long = (c: string) => c.repeat(200 * 1024);
    queue.write(long('b'), 'bob');
    queue.write(long('c'), 'bob');
    queue.write(long('d'), 'bob');
    queue.write('alice-1', 'alice');
    for (let i = 0; i < 8 && (release !== undefined || queue.queued('bob') > 0); i++) {
      const next = release;
      release = undefined;
      next?.();
      await new Promise((r) => setImmediate(r));
    }
    // Runs of one character, so a failure prints the order rather than 400 kB of text.
    const runs = text.replace(/(.)\1*/gs, (run, c: string) => (c === '\n' ? '|' : `${c}${run.length} `));
    const n = 200 * 1024;
    assert.equal(runs, `b${n} |c${n} |a1 l1 i1 c1 e1 -1 11 |d${n} |`);
  });
});

describe("FairStdinQueue: each member's share of the child", () => {
  const share = { chars: 100, presentMs: 60_000 };
  const fast = (): { out: Writable; written: string[] } => {
    const written: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString().trimEnd());
        callback();
      },
    });
    return { out, written };
  };

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('holds a member at its share while another is present, and sends on as its answers come back', async () => {
    const { out, written } = fast();
    const queue = new FairStdinQueue(out, share);
    const charges = [1, 2, 3].map(() => new ChildCharge());
    queue.write('a-0', 'alice');
    charges.forEach((charge, i) => queue.write(`b-${i}-${'x'.repeat(80)}`, 'bob', charge));
    assert.equal(written.length, 2, 'alice is present: only one of bob’s requests goes');
    assert.ok(queue.unanswered('bob') > 80);
    queue.write('b-cancel', 'bob');
    assert.equal(written.at(-1), 'b-cancel', 'a notification does not wait behind held requests');
    charges[1]?.release();
    await settle();
    assert.equal(written.length, 3, 'released before it was written: dropped, and nothing else freed');
    charges[0]?.release();
    await settle();
    assert.match(written.at(-1) ?? '', /^b-2-/);
    charges[2]?.release();
    assert.equal(queue.unanswered('bob'), 0);
    assert.equal(queue.queued('bob'), 0);
  });

  it('lets a member alone use more than its share', () => {
    const { out, written } = fast();
    const queue = new FairStdinQueue(out, share);
    for (let i = 0; i < 4; i++) queue.write(`b-${i}-${'x'.repeat(80)}`, 'bob', new ChildCharge());
    assert.equal(written.length, 4);
  });

  it('sends a held request once the other member has gone quiet', async () => {
    const { out, written } = fast();
    const queue = new FairStdinQueue(out, { chars: 100, presentMs: 30 });
    queue.write('a-0', 'alice');
    for (let i = 0; i < 2; i++) queue.write(`b-${i}-${'x'.repeat(80)}`, 'bob', new ChildCharge());
    assert.equal(written.length, 2);
    await waitFor(() => written.length === 3, "bob's second request after alice went quiet", 5000);
  });
});
