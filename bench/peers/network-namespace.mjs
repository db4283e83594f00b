/**
 * Runs this script again inside a network namespace of its own with only loopback up, so that nothing in it
 * (the Restate server tries to reach the internet at start-up) can leave the machine, and the SDK service, the
 * client and the server still reach each other on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const MARKER = 'TASKHUB_BENCH_IN_NETNS';

export function insideNetworkNamespace() {
  return process.env[MARKER] === '1';
}

/**
 * Re-runs the current script with the same arguments inside `unshare --net` and resolves to its exit code.
 * INT and TERM are passed on, so that a time limit or Ctrl-C reaches the run inside, which stops its server.
 */
export function rerunInNetworkNamespace(extraEnv) {
  // Root can make the namespace directly; anyone else needs a user namespace that maps them to root.
  const unshare = process.getuid?.() === 0 ? ['--net'] : ['--net', '--map-root-user'];
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  // unshare and sh each exec the next program, so the child's pid ends up being the inner node process.
  const child = spawn('unshare', [...unshare, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...command], {
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv, [MARKER]: '1' },
  });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not run unshare: ${error.message}`)));
    child.once('exit', (code, signal) => {
      for (const name of ['SIGINT', 'SIGTERM']) process.removeListener(name, forward);
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}
