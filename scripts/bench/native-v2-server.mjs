// The benchmark's 2026-07-28 reference: a native v2 SDK server (createMcpHandler behind toNodeHandler)
// with the echo tool in process, answering exactly what server-everything's echo answers. What the
// v2 client reaches against it is what a server built for the stateless revision does on this machine.
import http from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

const port = Number(process.argv[2]);
const handler = toNodeHandler(
  createMcpHandler(() => {
    const server = new McpServer({ name: 'bench-native-v2', version: '1.0.0' });
    server.registerTool('echo', { inputSchema: z.object({ message: z.string() }) }, ({ message }) => ({
      content: [{ type: 'text', text: `Echo: ${message}` }],
    }));
    return server;
  }),
);
http.createServer((req, res) => void handler(req, res)).listen(port, '127.0.0.1');
