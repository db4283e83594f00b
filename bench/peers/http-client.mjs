/**
 * The HTTP client of the benchmarks, as bench/serve-process.ts has it for taskhub: node:http with keep-alive
 * and no socket limit, one connection per request in flight, and connections opened in waves before a burst.
 */
import http from 'node:http';

// TCP keep-alive probes only after 15 minutes, as bench/serve-process.ts says why (probes a second from
// 10,000 held connections made the kernel drop packets and connections fail with ETIMEDOUT).
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 15 * 60_000, maxSockets: Infinity, maxFreeSockets: Infinity });
const CONNECT_WAVE = 200;

/**
 * Opens `count` keep-alive connections in waves a server's accept queue can take, each held until the
 * server answered `healthUrl` on it, then all released into the pool the burst reuses.
 */
export async function preconnect(healthUrl, count) {
  const held = [];
  for (let opened = 0; opened < count; opened += CONNECT_WAVE) {
    const wave = Array.from({ length: Math.min(CONNECT_WAVE, count - opened) }, () =>
      new Promise((resolve, reject) => http.get(healthUrl, { agent }, resolve).on('error', reject)),
    );
    held.push(...(await Promise.all(wave)));
  }
  await Promise.all(held.map((response) => new Promise((resolve) => response.on('end', resolve).resume())));
}

/** One POST with a JSON body; resolves to the status and the parsed answer. */
export function postJson(url, input) {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
