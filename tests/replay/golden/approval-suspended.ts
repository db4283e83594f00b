// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-approval-suspended";

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
    "type": "ExecutionSuspended",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "reason": "audit"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z"
  },
  {
    "type": "EventRaised",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "name": "Approval",
    "input": "\"yes\""
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z"
  },
  {
    "type": "ExecutionResumed",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "reason": "audit done"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "orchestrationStatus": "Completed",
    "result": "{\"outcome\":\"approved\",\"data\":\"yes\"}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z"
  }
];
