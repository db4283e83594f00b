// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-counter";

export const history: HistoryEvent[] = [
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:00.000Z"
  },
  {
    "type": "ExecutionStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "name": "Counter",
    "executionId": "execution-1",
    "input": "{\"total\":1}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:00.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z"
  },
  {
    "type": "EventRaised",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "name": "Add",
    "input": "2"
  },
  {
    "type": "EventRaised",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "name": "Stop"
  },
  {
    "type": "ContinueAsNew",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "result": "{\"total\":3}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z"
  }
];
