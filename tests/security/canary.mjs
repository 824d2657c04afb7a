// The canary: an HTTP server on loopback that records every connection and request, so that a
// script run (/script/<id>) or a remote load (/leak/<id>) by a vector can be counted.
// Each event is appended to a JSON-lines log at once (another process reads it).
import { appendFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { expand } from './corpus.mjs';

const GIF = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');

/** Starts the canary on 127.0.0.1 (a free port) logging to `log`; resolves to { port, close }. */
export function startCanary(log) {
  writeFileSync(log, '');
  const record = (event) => appendFileSync(log, `${JSON.stringify({ ...event, at: Date.now() })}\n`);
  const server = http.createServer((request, response) => {
    record({ kind: 'request', method: request.method, path: request.url, referer: request.headers.referer ?? null });
    if (request.url === '/control') {
      // The positive control: a page with no CSP whose sandboxed, script-allowed frame runs the
      // same reporting code as the vectors. The suite opens it last, to prove both detectors
      // (postMessage to the window, a request to /script/) work in this WebKit.
      const port = server.address().port;
      const frame = `<script>${expand('{{JS}}', 'control', port)}</script><img src="${expand('{{LEAK}}', 'control', port)}">`;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>control</title><script>addEventListener('message', (event) => {
        document.title = 'message ' + event.origin + ' ' + event.data; });</script>
        <iframe sandbox="allow-scripts" srcdoc="${frame.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"></iframe>`);
      return;
    }
    const script = request.url.startsWith('/script/');
    response.writeHead(200, { 'content-type': script ? 'text/javascript' : 'image/gif', 'cache-control': 'no-store' });
    response.end(script ? '/* canary */' : GIF);
  });
  server.on('connection', () => record({ kind: 'connection' }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ port: server.address().port, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

/** The events of a canary log, in order. */
export function readCanaryLog(text) {
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
