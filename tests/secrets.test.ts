/** Masking secrets in connection strings and in messages, for every form a connection string takes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactConnectionString, redactSecrets } from '../src/secrets.js';

/** [connection string, what it may be shown as]. */
const WHOLE_STRINGS: [string, string][] = [
  ['postgres://ana:s3cr:et@db:5432/app', 'postgres://ana:***@db:5432/app'],
  ['postgres://ana@db/app', 'postgres://ana@db/app'],
  ['postgres://db/app', 'postgres://db/app'],
  ['postgres://:no-user-secret@db/app', 'postgres://:***@db/app'],
  ['postgres://u:p@ss@db/app', 'postgres://u:***@db/app'],
  ['postgres://u:p@ss@db', 'postgres://u:***@db'],
  ["postgres://u:it's\"quoted@db/app", 'postgres://u:***@db/app'],
  ['postgres://u:with space@db/app', 'postgres://u:***@db/app'],
  ['postgres://u:sl/ash@db/app', 'postgres://u:***@db/app'],
  ['postgres://u:q?m#h@db/app', 'postgres://u:***@db/app'],
  ['postgres://u:pw@db/app?application_name=a@b', 'postgres://u:***@db/app?application_name=a@b'],
  ['mysql://root:secret@db/x', 'mysql://root:***@db/x'],
  ['Server=db;Database=app;User Id=sa;Password=Hunter2 with space;', 'Server=db;Database=app;User Id=sa;Password=***;'],
  ['Server=db;Pwd="a;b";Database=app', 'Server=db;Pwd=***;Database=app'],
  [
    'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0+S2V5/PT0=;EndpointSuffix=core.windows.net',
    'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net',
  ],
  ['Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc+def=', 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=***'],
  ['BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022&sig=xyz%3D', 'BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=***'],
  ["host=db user=u password='it\\'s secret' dbname=app", 'host=db user=u password=*** dbname=app'],
  ['host=db password=plain dbname=app', 'host=db password=*** dbname=app'],
  ['sqlite:./.taskhub/taskhub.db', 'sqlite:./.taskhub/taskhub.db'],
];

describe('redactConnectionString', () => {
  for (const [connectionString, shown] of WHOLE_STRINGS) {
    it(JSON.stringify(connectionString), () => assert.equal(redactConnectionString(connectionString), shown));
  }
});

describe('redactSecrets (free text)', () => {
  it('masks URL passwords and key=value secrets inside a message, and leaves the rest', () => {
    assert.equal(
      redactSecrets("cannot use the store postgres://u:p@ss@db:5432/app: connect ECONNREFUSED 127.0.0.1:5432 for user 'u'"),
      "cannot use the store postgres://u:***@db:5432/app: connect ECONNREFUSED 127.0.0.1:5432 for user 'u'",
    );
    assert.equal(redactSecrets("input: 'postgres://:x1@db/app'"), "input: 'postgres://:***@db/app'");
    assert.equal(redactSecrets('unsupported string Password=abc;AccountKey=k==;x=1'), 'unsupported string Password=***;AccountKey=***;x=1');
    assert.equal(redactSecrets('https://a.example/x?sig=abc&sv=1'), 'https://a.example/x?sig=***&sv=1');
    assert.equal(redactSecrets("no password in 'mysql://x': use 'postgres://user@host:port/database'"), "no password in 'mysql://x': use 'postgres://user@host:port/database'");
  });

  it('is idempotent on text already redacted', () => {
    for (const [, shown] of WHOLE_STRINGS) assert.equal(redactSecrets(shown), shown);
  });
});
