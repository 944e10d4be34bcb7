// The benchmark's floor: a Streamable HTTP endpoint that answers initialize and tools/call echo at
// once from memory, with no MCP server behind it. What the SDK's HTTP client reaches against it is
// the most any bridge can reach in the same run.
import http from 'node:http';

const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      // No GET stream and no session to end: the SDK client accepts 405 for both.
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const message = JSON.parse(body);
      if (message.id === undefined) return void res.writeHead(202).end();
      const result =
        message.method === 'initialize'
          ? {
              protocolVersion: message.params.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: 'bench-floor', version: '1.0.0' },
            }
          : { content: [{ type: 'text', text: `Echo: ${message.params?.arguments?.message}` }] };
      res
        .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'floor' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    });
  })
  .listen(port, '127.0.0.1');
