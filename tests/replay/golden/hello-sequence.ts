// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-hello";

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
    "name": "E1_HelloSequence",
    "executionId": "execution-1"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "E1_SayHello",
    "input": "\"Tokyo\""
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
    "taskScheduledId": 0,
    "result": "\"Hello Tokyo!\""
  },
  {
    "eventId": 1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "type": "TaskScheduled",
    "name": "E1_SayHello",
    "input": "\"Seattle\""
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
    "taskScheduledId": 1,
    "result": "\"Hello Seattle!\""
  },
  {
    "eventId": 2,
    "timestamp": "2024-05-01T10:00:02.000Z",
    "type": "TaskScheduled",
    "name": "E1_SayHello",
    "input": "\"London\""
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
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "taskScheduledId": 2,
    "result": "\"Hello London!\""
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "orchestrationStatus": "Completed",
    "result": "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z"
  }
];
