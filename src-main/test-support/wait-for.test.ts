import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiveUp, waitFor } from './wait-for';

void describe('waitFor', () => {
  void it('resolves to the first value that is not undefined, null or false (0 counts)', async () => {
    const answers = [undefined, null, false, 0];
    let calls = 0;
    const value = await waitFor(() => answers[calls++], { timeoutMs: 5_000, intervalMs: 1, what: 'a zero' });
    assert.equal(value, 0);
    assert.equal(calls, 4);
  });

  void it('asks again after a check threw, and resolves once it holds', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'ready';
      },
      { timeoutMs: 5_000, intervalMs: 1, what: 'ready' },
    );
    assert.equal(value, 'ready');
    assert.equal(calls, 3);
  });

  void it('stops at once on GiveUp, with that error', async () => {
    let calls = 0;
    const gone = new GiveUp('the process exited');
    await assert.rejects(
      waitFor(
        () => {
          calls += 1;
          throw gone;
        },
        { timeoutMs: 5_000, what: 'a dead process' },
      ),
      (err) => err === gone,
    );
    assert.equal(calls, 1);
  });

  void it('fails after the timeout naming what it waited for and the last error', async () => {
    const started = Date.now();
    let calls = 0;
    await assert.rejects(
      waitFor(
        () => {
          calls += 1;
          throw new Error(`refused #${calls}`);
        },
        { timeoutMs: 100, intervalMs: 10, what: 'the bridge to answer' },
      ),
      (err: Error) => {
        assert.match(
          err.message,
          /^timed out after 100 ms waiting for the bridge to answer \(last error: refused #\d+\)$/,
        );
        assert.equal((err.cause as Error).message, `refused #${calls}`);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 100, 'it waited the whole timeout');
    assert.ok(calls > 1, 'it asked more than once');
  });

  void it('fails naming the last value, and asks once even with no time at all', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor(
        () => {
          calls += 1;
          return false;
        },
        { timeoutMs: 0, what: 'nothing' },
      ),
      /^Error: timed out after 0 ms waiting for nothing \(last value: false\)$/,
    );
    assert.equal(calls, 1);
  });
});
