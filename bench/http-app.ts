/** The app module `taskhub serve` runs in the HTTP benchmarks: the workloads' registry. */
export { benchRegistry as registry } from './workloads.js';
