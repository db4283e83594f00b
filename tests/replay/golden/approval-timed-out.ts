// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-approval-timeout";

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
    "name": "Approval",
    "executionId": "execution-1",
    "input": "{\"timeoutSeconds\":60}"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TimerCreated",
    "fireAt": "2024-05-01T10:01:00.000Z"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:00.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:00.000Z"
  },
  {
    "type": "TimerFired",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:00.000Z",
    "timerId": 0,
    "fireAt": "2024-05-01T10:01:00.000Z"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:00.000Z",
    "orchestrationStatus": "Completed",
    "result": "{\"outcome\":\"timeout\"}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:00.000Z"
  }
];
