import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { isJsonContentType, parseAccept, readBody } from './http-util';

/** A request whose body arrives in the given chunks. */
function request(chunks: Buffer[]): IncomingMessage {
  const body = new PassThrough();
  Object.assign(body, { headers: {} });
  for (const chunk of chunks) body.write(chunk);
  body.end();
  return body as unknown as IncomingMessage;
}

describe('readBody', () => {
  it('decodes a body split anywhere, even inside a character or an invalid sequence, as one buffer would', async () => {
    const whole = Buffer.concat([
      Buffer.from('{"message":"Grüße, 日本語 😀 '),
      Buffer.from([0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
      Buffer.from(' end"}'),
    ]);
    for (let cut = 1; cut < whole.length; cut++) {
      for (const second of [cut + 1, cut + 3]) {
        const pieces = [whole.subarray(0, cut), whole.subarray(cut, second), whole.subarray(second)].filter(
          (piece) => piece.length > 0,
        );
        const body = await readBody(request(pieces), 1024);
        assert.deepEqual(body, { ok: true, text: whole.toString('utf8') }, `cut at ${cut} and ${second}`);
      }
    }
  });

  it('refuses a body over the limit', async () => {
    const body = await readBody(request([Buffer.alloc(600), Buffer.alloc(600)]), 1000);
    assert.deepEqual(body, { ok: false, status: 413 });
  });
});

describe('Accept and Content-Type', () => {
  it('reads each header value on its own, whatever was read before', () => {
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(parseAccept('application/json, text/event-stream'), { json: true, sse: true });
      assert.deepEqual(parseAccept('text/event-stream'), { json: false, sse: true });
      assert.deepEqual(parseAccept('application/json'), { json: true, sse: false });
      assert.deepEqual(parseAccept(undefined), { json: true, sse: true });
      assert.deepEqual(parseAccept('image/png'), { json: false, sse: false });
      assert.equal(isJsonContentType('application/json; charset=utf-8'), true);
      assert.equal(isJsonContentType('text/plain'), false);
      assert.equal(isJsonContentType(undefined), false);
      assert.equal(isJsonContentType('Application/JSON'), true);
    }
  });
});
