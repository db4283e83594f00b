/** How a step's input configures a run, and state read back from the committed history alone. */
import { OrchestrationRun, type RunOptions } from './orchestration-run.js';
import type { OrchestrationStepInput } from './step.js';

export function runOptions(input: OrchestrationStepInput): RunOptions {
  const options: RunOptions = {
    instanceId: input.instanceId,
    resolveOrchestrator: (name) => input.resolveOrchestrator(name),
    maxPayloadBytes: input.maxPayloadBytes,
  };
  if (input.logger) options.logger = input.logger;
  if (input.onCodeTime) options.onCodeTime = input.onCodeTime;
  return options;
}

/** The custom status as of the committed history, for steps that do not run the code. */
export function replayedCustomStatus(input: OrchestrationStepInput): string | undefined {
  const run = new OrchestrationRun(runOptions(input));
  run.replay(input.pastEvents);
  return run.customStatus;
}
