// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-fan-out";

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
    "name": "FanOutFanIn",
    "executionId": "execution-1",
    "input": "3"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "Square",
    "input": "1"
  },
  {
    "eventId": 1,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "Square",
    "input": "2"
  },
  {
    "eventId": 2,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "Square",
    "input": "3"
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
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "taskScheduledId": 2,
    "result": "9"
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
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "taskScheduledId": 0,
    "result": "1"
  },
  {
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "taskScheduledId": 1,
    "result": "4"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "orchestrationStatus": "Completed",
    "result": "14"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:02.000Z"
  }
];
