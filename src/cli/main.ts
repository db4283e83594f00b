#!/usr/bin/env node
/** The `taskhub` binary (package.json `bin`): runs one command against the process's streams. */
import { runCli } from './program.js';

// `taskhub get-instances | head -5`: the reader has gone, so nothing more can be said; stop quietly and
// successfully, as other Unix tools do, instead of failing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
