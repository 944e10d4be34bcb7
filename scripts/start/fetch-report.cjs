// Preloaded (`node --require`) into Electron's own install.js by scripts/start/electron-fetch.mjs.
// install.js prints only `err.stack`, whose first line for any network failure is "TypeError: fetch
// failed": the cause (DNS, refused, reset, TLS) sits in `err.cause`, which it never prints. So this
// reports what each request met to the parent as JSON lines on fd 3. It also bounds the wait for an
// answer, which Node's fetch leaves at 5 minutes (undici's headersTimeout) and @electron/get does not
// bound at all: a proxy that accepts and never answers would otherwise hold `npm start` that long.
'use strict';
const { writeSync } = require('node:fs');

const REPORT_FD = 3;
const answerTimeoutMs = Number(process.env.MCP_FLEET_FETCH_ANSWER_TIMEOUT_MS) || 60_000;

function report(event) {
  try {
    writeSync(REPORT_FD, `${JSON.stringify(event)}\n`);
  } catch {
    // Not started by scripts/start (no fd 3): the installer runs as it would without this file.
  }
}

function firstLine(value) {
  return String(value).split('\n')[0].trim();
}

const realFetch = globalThis.fetch;
globalThis.fetch = async function fetchAndReport(input, init = {}) {
  const url = typeof input === 'object' && 'url' in input ? input.url : String(input);
  const answer = new AbortController();
  const timer = setTimeout(() => {
    const host = new URL(url).host;
    answer.abort(new Error(`${host} did not answer within ${Math.round(answerTimeoutMs / 1000)} s`));
  }, answerTimeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, answer.signal]) : answer.signal;
  try {
    const response = await realFetch(input, { ...init, signal });
    if (!response.ok) {
      report({ kind: 'http', url, status: response.status, text: response.statusText });
    }
    return response;
  } catch (error) {
    if (answer.signal.aborted) report({ kind: 'timeout', url, ms: answerTimeoutMs });
    else {
      const cause = error?.cause ?? error;
      report({
        kind: 'network',
        url,
        code: cause?.code,
        hostname: cause?.hostname,
        message: firstLine(cause?.message ?? error),
      });
    }
    throw error;
  } finally {
    // Only the wait for the answer is bounded here; a slow download keeps going (undici still stops a
    // body that stalls for 5 minutes).
    clearTimeout(timer);
  }
};

// install.js ends every failure with console.error(err.stack): checksum mismatches, extraction errors,
// a dist/ it cannot write. The first line names them well enough.
const realConsoleError = console.error;
console.error = (...args) => {
  if (args.length > 0) report({ kind: 'error', line: firstLine(args[0]) });
  realConsoleError(...args);
};
process.on('uncaughtExceptionMonitor', (error) => {
  report({ kind: 'error', line: firstLine(error?.stack ?? error) });
});
