// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-parent";

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
    "name": "ParentOfChildren",
    "executionId": "execution-1"
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "SubOrchestrationInstanceCreated",
    "name": "HelloWorld",
    "instanceId": "golden-parent:0",
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
    "timestamp": "2024-05-01T10:00:03.000Z"
  },
  {
    "type": "SubOrchestrationInstanceCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "taskScheduledId": 0,
    "result": "\"Hello Tokyo!\""
  },
  {
    "eventId": 1,
    "timestamp": "2024-05-01T10:00:03.000Z",
    "type": "SubOrchestrationInstanceCreated",
    "name": "HelloWorld",
    "instanceId": "golden-parent:1",
    "input": "\"Seattle\""
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:03.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z"
  },
  {
    "type": "SubOrchestrationInstanceCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z",
    "taskScheduledId": 1,
    "result": "\"Hello Seattle!\""
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z",
    "orchestrationStatus": "Completed",
    "result": "[\"Hello Tokyo!\",\"Hello Seattle!\"]"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z"
  }
];
