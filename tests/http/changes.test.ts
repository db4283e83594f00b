/** `GET …/changes` over real HTTP: a server-sent-events stream driven by the store's signals. */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { BASE, finishedInstance, startTestServer, type TestServer } from './http-harness.js';

/** An open stream: its text so far, and a wait for a line matching a pattern. */
interface Stream {
  response: IncomingMessage;
  text(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

function openStream(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const request = httpRequest({ host: url.hostname, port: url.port, path, headers, agent: false }, (response) => {
      let text = '';
      const waiters = new Set<() => void>();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        for (const waiter of waiters) waiter();
      });
      resolve({
        response,
        text: () => text,
        waitFor: (pattern, timeoutMs = 10_000) =>
          new Promise((found, fail) => {
            const check = () => {
              const match = pattern.exec(text);
              if (!match) return;
              waiters.delete(check);
              clearTimeout(timer);
              found(match[0]);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${pattern} in the stream after ${timeoutMs} ms: ${JSON.stringify(text)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
    request.end();
  });
}

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

describe('GET /runtime/webhooks/durabletask/changes', () => {
  test('an event stream that says when instances change, naming those that finished', async () => {
    const stream = await openStream(server, `${BASE}/changes`);
    try {
      assert.equal(stream.response.statusCode, 200);
      assert.equal(stream.response.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(stream.response.headers['cache-control'], 'no-store');
      await stream.waitFor(/^retry: \d+\n: connected\n\n/);
      const id = await finishedInstance(server.client, 'HelloWorld');
      const event = await stream.waitFor(new RegExp(`event: change\\ndata: \\{"finished":\\[[^\\]]*"${id}"[^\\]]*\\]\\}\\n\\n`));
      assert.ok(event);
    } finally {
      stream.close();
    }
  });

  test("only the requested hub's changes", async () => {
    const stream = await openStream(server, `${BASE}/changes?taskHub=Quiet`);
    try {
      await stream.waitFor(/: connected/);
      await finishedInstance(server.client, 'HelloWorld');
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.doesNotMatch(stream.text(), /event: change/);
      // The server's worker runs only its own hub: a start in Quiet is a change there, not a finish.
      await server.client.forHub('Quiet').startNew('HelloWorld');
      await stream.waitFor(/event: change\ndata: \{"finished":\[\]\}/);
    } finally {
      stream.close();
    }
  });

  test('closing the server ends open streams instead of waiting for them', async () => {
    const own = await startTestServer();
    const stream = await openStream(own, `${BASE}/changes`);
    await stream.waitFor(/: connected/);
    const ended = new Promise((resolve) => stream.response.on('end', resolve));
    await own.close();
    await ended;
  });
});
