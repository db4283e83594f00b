/**
 * Slow clients: a request whose headers or body trickle in is answered 408 at its deadline with nothing
 * started; a long poll is not cut by the deadline; closing the server does not wait for a trickling client.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BASE, startTestServer, type TestServer } from './http-harness.js';

interface Trickle {
  socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  answer: Promise<string>;
  stop(): void;
}

/** Sends `head`, then one byte of `body` every `everyMs` until stopped or refused. */
function trickle(url: string, head: string, body = '', everyMs = 100): Trickle {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  socket.on('connect', () => {
    socket.write(head);
    timer = setInterval(() => {
      if (sent < body.length && socket.writable) socket.write(body[sent++]!);
    }, everyMs);
  });
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
    socket.on('error', () => undefined);
  });
  return { socket, answer: closed, stop: () => clearInterval(timer) };
}

const startHead = (url: string, id: string, length: number) =>
  `POST ${BASE}/orchestrators/HelloWorld/${id} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('with a 500 ms request deadline', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ requestTimeoutMs: 500 });
  });
  after(() => server.close());

  test('a trickled body is answered 408 with a JSON error, and nothing is started', async () => {
    const body = JSON.stringify('x'.repeat(200));
    const slow = trickle(server.url, startHead(server.url, 'trickled', body.length), body);
    const answer = await slow.answer;
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(answer, /\{"error":"the request did not arrive within 0\.5 s; send the headers and the body without pausing"\}$/);
    assert.equal(await server.client.getStatus('trickled'), undefined);
  });

  test('headers that never end are answered 408 too', async () => {
    const slow = trickle(server.url, `GET ${BASE}/instances HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nX-Slow: `, 'a'.repeat(100));
    assert.match(await slow.answer, /^HTTP\/1\.1 408 /);
  });

  test('the deadline covers receiving the request only: a long poll lasts past it', async () => {
    const answer = await server.request('POST', `${BASE}/orchestrators/Sleep?timeout=1.5`, { json: 60 });
    assert.equal(answer.status, 202);
    await server.client.terminate(answer.body.id);
  });
});

describe('closing the server', () => {
  test('does not wait for a client trickling its body (default 30 s deadline); a long poll in progress is answered', async () => {
    const server = await startTestServer();
    const body = JSON.stringify('y'.repeat(1000));
    const slow = trickle(server.url, startHead(server.url, 'trickling-at-close', body.length), body, 200);
    const longPoll = server.request('POST', `${BASE}/orchestrators/Sleep/polled-at-close?timeout=60`, { json: 60 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const closing = server.close();
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref()),
    ]);
    slow.stop();
    assert.equal(outcome, 'closed');
    assert.equal((await longPoll).status, 202, 'the long poll is answered with the check-status response');
    assert.doesNotMatch(await slow.answer, /^HTTP\/1\.1 2/);
  });
});
