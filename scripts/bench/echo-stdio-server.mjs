// The stdio counterpart of floor-server.mjs: an MCP server over stdio with one tool, echo, answered at
// once with no SDK in between. The noisy-neighbour row runs the bridge in front of it, so that what
// member A feels of member B's flood is the bridge's doing, not a slow server's own queue
// (server-everything takes tens of milliseconds per 1 MiB echo).
const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

function answer(request) {
  const { id, method, params } = request;
  switch (method) {
    case 'initialize':
      return send({
        id,
        result: {
          protocolVersion: params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'bench-echo', version: '1.0.0' },
        },
      });
    case 'ping':
      return send({ id, result: {} });
    case 'tools/list':
      return send({
        id,
        result: {
          tools: [
            {
              name: 'echo',
              inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
            },
          ],
        },
      });
    case 'tools/call':
      if (params?.name === 'echo')
        return send({
          id,
          result: { content: [{ type: 'text', text: `Echo: ${params.arguments?.message}` }] },
        });
      return send({ id, error: { code: -32602, message: `Unknown tool: ${params?.name}` } });
    default:
      return send({ id, error: { code: -32601, message: `Method not found: ${method}` } });
  }
}

// Lines are found in each new chunk only, so a 1 MiB message costs one pass.
let partial = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  let start = 0;
  let newline = chunk.indexOf('\n');
  while (newline >= 0) {
    const line = partial + chunk.slice(start, newline);
    partial = '';
    start = newline + 1;
    newline = chunk.indexOf('\n', start);
    if (line.trim() === '') continue;
    const message = JSON.parse(line);
    // Notifications and answers to requests of its own (it sends none) need nothing.
    if (typeof message.method === 'string' && message.id !== undefined) answer(message);
  }
  partial += start === 0 ? chunk : chunk.slice(start);
});
process.stdin.on('end', () => process.exit(0));
