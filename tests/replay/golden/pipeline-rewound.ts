// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-pipeline";

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
    "name": "Pipeline",
    "executionId": "execution-1"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "Extract"
  },
  {
    "eventId": 1,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TimerCreated",
    "fireAt": "2024-05-01T10:00:01.000Z"
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
    "type": "TimerFired",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "timerId": 1,
    "fireAt": "2024-05-01T10:00:01.000Z"
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
    "type": "ExecutionRewound",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "reason": "source is back"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:04.000Z"
  },
  {
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:04.000Z",
    "taskScheduledId": 0,
    "result": "12"
  },
  {
    "eventId": 2,
    "timestamp": "2024-05-01T10:00:04.000Z",
    "type": "TaskScheduled",
    "name": "Load",
    "input": "12"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:04.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:05.000Z"
  },
  {
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:05.000Z",
    "taskScheduledId": 2,
    "result": "24"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:05.000Z",
    "orchestrationStatus": "Completed",
    "result": "24"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:05.000Z"
  }
];
