#!/usr/bin/env node
/** The `taskhub` binary (package.json `bin`): runs one command against the process's streams. */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
