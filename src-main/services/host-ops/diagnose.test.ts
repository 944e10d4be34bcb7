import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from './diagnose';

const log = (event: string, fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 'info', event, ...fields });

void describe('diagnose', () => {
  void it('names the read-only root for a server that writes outside /tmp, masking secrets', () => {
    const d = diagnose(
      [
        log('child_started', { pid: 7 }),
        log('child_stderr', {
          line: "Error: EROFS: read-only file system, open '/opt/data.json' key=hunter2-secret",
        }),
        log('child_stderr', { line: '    at Object.openSync (node:fs:573:18)' }),
        log('child_exited', { code: 1 }),
      ],
      false,
      ['hunter2-secret'],
    );
    assert.match(d.hint ?? '', /root filesystem is read-only/);
    assert.match(d.excerpt, /EROFS/);
    assert.ok(!d.excerpt.includes('hunter2-secret'));
    assert.ok(!d.excerpt.includes('at Object.openSync'), 'stack frames are left out');
  });

  void it('points at the memory limit for an OOM kill and at /tmp for a full tmpfs', () => {
    assert.match(diagnose([], true).hint ?? '', /memory limit/);
    assert.match(
      diagnose([log('child_stderr', { line: 'ENOSPC: no space left on device' })]).hint ?? '',
      /--tmpfs-size/,
    );
    assert.equal(diagnose([log('child_stderr', { line: 'listening' })]).hint, null);
  });
});
