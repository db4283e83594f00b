/**
 * Runs this script again inside a network namespace of its own with only loopback up, so that nothing in it
 * (the Restate server tries to reach the internet at start-up) can leave the machine, and the SDK service, the
 * client and the server still reach each other on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';

const MARKER = 'TASKHUB_BENCH_IN_NETNS';

export function insideNetworkNamespace() {
  return process.env[MARKER] === '1';
}

/** Re-runs the current script with the same arguments inside `unshare --net`; returns its exit code. */
export function rerunInNetworkNamespace(extraEnv) {
  // Root can make the namespace directly; anyone else needs a user namespace that maps them to root.
  const unshare = process.getuid?.() === 0 ? ['--net'] : ['--net', '--map-root-user'];
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const result = spawnSync('unshare', [...unshare, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...command], {
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv, [MARKER]: '1' },
  });
  if (result.error) throw new Error(`could not run unshare: ${result.error.message}`);
  return result.status ?? 1;
}
