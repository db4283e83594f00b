// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-approval";

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
    "input": "{\"timeoutSeconds\":3600}"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TimerCreated",
    "fireAt": "2024-05-01T11:00:00.000Z"
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
    "name": "Approval",
    "input": "{\"by\":\"ann\"}"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "orchestrationStatus": "Completed",
    "result": "{\"outcome\":\"approved\",\"data\":{\"by\":\"ann\"}}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z"
  }
];
