// The benchmark's second floor: the least any HTTP-to-stdio bridge does for a call. One stdio server
// child (the command after the port), initialized once; each POSTed request is written to its stdin
// under an id of the relay's own, and the child's answer is sent back under the client's id. No
// authentication, sessions, checks or logs. What a bridge costs beyond this is its own doing; what
// this costs beyond floor-server.mjs is the pipe to the child, which no stdio bridge can avoid.
// Usage: relay-floor.mjs PORT COMMAND [ARG...]
import { spawn } from 'node:child_process';
import http from 'node:http';

const [portText, command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
child.on('exit', () => process.exit(1));
/** Answers the child owes, by the relay's id: the client's id and where to send it. */
const waiting = new Map();
let nextId = 0;
const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);

function onLine(line) {
  const message = JSON.parse(line);
  // Only answers: the child's own requests and notifications have nowhere to go here.
  if (message.method !== undefined) return;
  const caller = waiting.get(message.id);
  if (caller === undefined) return;
  waiting.delete(message.id);
  caller(message);
}

let partial = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  let start = 0;
  let newline = chunk.indexOf('\n');
  while (newline >= 0) {
    const line = partial + chunk.slice(start, newline);
    partial = '';
    start = newline + 1;
    newline = chunk.indexOf('\n', start);
    if (line.trim() !== '') onLine(line);
  }
  partial += start === 0 ? chunk : chunk.slice(start);
});

function reply(res, body) {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'mcp-session-id': 'relay',
  });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    // No GET stream and no session to end: the SDK client accepts 405 for both.
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (message.id === undefined) return void res.writeHead(202).end();
    if (message.method === 'initialize') {
      return reply(res, {
        jsonrpc: '2.0',
        id: message.id,
        result: {
          ...initialized,
          protocolVersion: message.params?.protocolVersion ?? initialized.protocolVersion,
        },
      });
    }
    const id = ++nextId;
    const clientId = message.id;
    waiting.set(id, (answer) => reply(res, { ...answer, id: clientId }));
    send({ ...message, id });
  });
});

// The child's own initialize, once, before anything is served.
let initialized;
waiting.set(0, (answer) => {
  initialized = answer.result;
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  server.listen(Number(portText), '127.0.0.1');
});
send({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'relay-floor', version: '1.0.0' },
  },
});
