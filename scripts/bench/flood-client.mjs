// The noisy neighbour of `npm run bench:bridge`: one member's many clients, each in a loop of
// tools/call echo with a large message, in a process of its own so that its work does not sit in the
// event loop that times the other member's calls. Prints "ready" once every session is open, and on
// SIGTERM a JSON line with what it was served and refused.
// Usage: flood-client.mjs URL TOKEN CLIENTS BODY_BYTES HONOUR_RETRY_AFTER(0|1)
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const [url, token, clientsText, bytesText, honourText] = process.argv.slice(2);
const clients = Number(clientsText);
const bodyBytes = Number(bytesText);
const honour = honourText === '1';
const endpoint = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const base = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  authorization: `Bearer ${token}`,
};
// Every message is a tag of its own and the same padding, sent from one shared buffer: the flood
// costs this process little beyond the copies into the socket.
const padding = Buffer.alloc(bodyBytes, 'x');
const tally = { requests: 0, served: 0, refused: {}, wrong: 0, errors: 0, firstError: undefined };
let stopping = false;

function send(method, headers, chunks) {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  return new Promise((resolve, reject) => {
    const req = http.request(
      endpoint,
      { method, agent, headers: { ...headers, 'content-length': String(length) } },
      (res) => {
        const parts = [];
        res.on('data', (chunk) => parts.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const post = (headers, chunks) => send('POST', headers, chunks);

/**
 * Setting up and ending sessions is not part of the flood: a 429 (the member's rate, spent by its own
 * flood) is waited out, a few times.
 */
async function settle(request) {
  for (let attempt = 1; ; attempt += 1) {
    const reply = await request();
    if (reply.status !== 429 || attempt === 5) return reply;
    await sleep(Math.min(Number(reply.headers['retry-after']) || 1, 2) * 1000);
  }
}

const json = (value) => Buffer.from(JSON.stringify(value));

async function openSession() {
  const init = await settle(() =>
    post(base, [
      json({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'bench-flood', version: '1' },
        },
      }),
    ]),
  );
  const session = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof session !== 'string')
    throw new Error(`initialize: HTTP ${init.status} ${init.body.toString().slice(0, 160)}`);
  const headers = { ...base, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
  const initialized = await settle(() =>
    post(headers, [json({ jsonrpc: '2.0', method: 'notifications/initialized' })]),
  );
  if (initialized.status !== 202 && initialized.status !== 200)
    throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  return headers;
}

function fail(message) {
  tally.errors += 1;
  tally.firstError ??= message.slice(0, 160);
}

async function flood(headers, client) {
  for (let i = 0; !stopping; i += 1) {
    const tag = `b${client}-${i}-`;
    const head = Buffer.from(
      `{"jsonrpc":"2.0","id":${i + 1},"method":"tools/call","params":{"name":"echo","arguments":{"message":"${tag}`,
    );
    tally.requests += 1;
    let reply;
    try {
      reply = await post(headers, [head, padding, Buffer.from('"}}}')]);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
      continue;
    }
    if (reply.status === 429) {
      let limit = 'unknown';
      try {
        limit = JSON.parse(reply.body.toString()).error?.data?.limit ?? limit;
      } catch {
        // Counted as unknown.
      }
      tally.refused[limit] = (tally.refused[limit] ?? 0) + 1;
      const wait = Number(reply.headers['retry-after']);
      if (honour && Number.isFinite(wait)) await sleep(Math.min(wait, 2) * 1000);
      continue;
    }
    if (reply.status !== 200) {
      fail(`HTTP ${reply.status}: ${reply.body.toString().slice(0, 120)}`);
      continue;
    }
    try {
      const text = JSON.parse(reply.body.toString()).result?.content?.[0]?.text;
      if (typeof text !== 'string') fail(`unexpected answer: ${reply.body.toString().slice(0, 120)}`);
      else if (text.startsWith(`Echo: ${tag}`) && text.length === 6 + tag.length + bodyBytes)
        tally.served += 1;
      else if (text.startsWith('Echo: ')) tally.wrong += 1;
      else fail(`unexpected answer: ${text.slice(0, 120)}`);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  }
}

const sessions = [];
try {
  // In small batches: the member's rate allows bursts of twice its rate, and each session takes two requests.
  while (sessions.length < clients)
    sessions.push(
      ...(await Promise.all(Array.from({ length: Math.min(8, clients - sessions.length) }, openSession))),
    );
} catch (err) {
  process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
const started = performance.now();
const loops = sessions.map((headers, client) => flood(headers, client));
process.stdout.write('ready\n');
/** Ends the sessions as a well-behaved client does, so the member's session slots are free again. */
function closeSessions() {
  return Promise.allSettled(sessions.map((headers) => settle(() => send('DELETE', headers, []))));
}

process.once('SIGTERM', () => {
  stopping = true;
  // Calls in flight finish (or fail) first, so every request sent is counted one way or another.
  void Promise.race([Promise.all(loops), sleep(2000)]).then(async () => {
    const seconds = (performance.now() - started) / 1000;
    await Promise.race([closeSessions(), sleep(1000)]);
    process.stdout.write(`${JSON.stringify({ ...tally, seconds })}\n`);
    process.exit(0);
  });
});
