/** The functions a worker can run, by name. */
import type { OrchestratorFunction } from '../core/context.js';
import { InvalidArgumentError } from '../errors.js';
import { validateName } from '../client/validation.js';
import { RESERVED_NAME_PREFIX } from '../core/names.js';
import type { ActivityDefinition, ActivityFunction, OrchestratorDefinition } from './definitions.js';

export class Registry {
  private readonly orchestrators = new Map<string, OrchestratorFunction>();
  private readonly activities = new Map<string, ActivityFunction>();

  /** Registers definitions made with defineOrchestrator/defineActivity. */
  add(...definitions: (OrchestratorDefinition | ActivityDefinition)[]): this {
    for (const definition of definitions) {
      if (definition.kind === 'orchestrator') this.orchestrator(definition.name, definition.fn);
      else this.activity(definition.name, definition.fn);
    }
    return this;
  }

  orchestrator(name: string, fn: OrchestratorFunction): this {
    assertName(name, 'orchestrator', this.orchestrators.has(name));
    this.orchestrators.set(name, fn);
    return this;
  }

  activity(name: string, fn: ActivityFunction): this {
    assertName(name, 'activity', this.activities.has(name));
    this.activities.set(name, fn);
    return this;
  }

  getOrchestrator(name: string): OrchestratorFunction | undefined {
    return this.orchestrators.get(name);
  }

  getActivity(name: string): ActivityFunction | undefined {
    return this.activities.get(name);
  }

  hasOrchestrator(name: string): boolean {
    return this.orchestrators.has(name);
  }

  orchestratorNames(): string[] {
    return [...this.orchestrators.keys()].sort();
  }

  activityNames(): string[] {
    return [...this.activities.keys()].sort();
  }
}

function assertName(name: string, kind: string, taken: boolean): void {
  // The client refuses to start a name it could not validate, so such a name could never run.
  validateName(`an ${kind} name`, name);
  if (name.startsWith(RESERVED_NAME_PREFIX)) throw new InvalidArgumentError(`${kind} names starting with '${RESERVED_NAME_PREFIX}' are taskhub's own; '${name}' cannot be registered`);
  if (taken) throw new InvalidArgumentError(`${kind} '${name}' is registered twice`);
}
