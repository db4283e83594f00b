#!/usr/bin/env node
/** The `taskhub` binary (package.json `bin`): runs one command against the process's streams. */
import { runCli } from './program.js';
import { reportOutputFailures } from './stdout-failures.js';

reportOutputFailures(process.stdout, process.stderr, {
  setExitCode: (code) => (process.exitCode = code),
  exitQuietly: () => process.exit(0),
});
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// An output failure reported meanwhile keeps its exit code.
process.exitCode = process.exitCode || code;
