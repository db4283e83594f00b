// Recorded by tests/replay/record-golden.ts. Never edit: replaying it against today's code is the test.
import type { HistoryEvent } from '../../../src/core/history.js';

export const instanceId = "golden-everything";

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
    "name": "Everything",
    "executionId": "execution-1",
    "input": "\"order-1\""
  },
  {
    "eventId": 0,
    "timestamp": "2024-05-01T10:00:00.000Z",
    "type": "TaskScheduled",
    "name": "Reserve",
    "input": "\"order-1\""
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
    "type": "TaskFailed",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "taskScheduledId": 0,
    "failureDetails": {
      "errorType": "Error",
      "errorMessage": "inventory busy"
    }
  },
  {
    "eventId": 1,
    "timestamp": "2024-05-01T10:00:01.000Z",
    "type": "TimerCreated",
    "fireAt": "2024-05-01T10:00:06.000Z"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:01.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z"
  },
  {
    "type": "TimerFired",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z",
    "timerId": 1,
    "fireAt": "2024-05-01T10:00:06.000Z"
  },
  {
    "eventId": 2,
    "timestamp": "2024-05-01T10:00:06.000Z",
    "type": "TaskScheduled",
    "name": "Reserve",
    "input": "\"order-1\""
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:06.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:07.000Z"
  },
  {
    "type": "TaskCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:07.000Z",
    "taskScheduledId": 2,
    "result": "\"R-order-1\""
  },
  {
    "eventId": 3,
    "timestamp": "2024-05-01T10:00:07.000Z",
    "type": "TaskScheduled",
    "name": "Invoice",
    "input": "\"order-1\""
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:07.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:08.000Z"
  },
  {
    "type": "TaskFailed",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:08.000Z",
    "taskScheduledId": 3,
    "failureDetails": {
      "errorType": "Error",
      "errorMessage": "billing down",
      "details": "{\"retryable\":false}"
    }
  },
  {
    "eventId": 4,
    "timestamp": "2024-05-01T10:00:08.000Z",
    "type": "TimerCreated",
    "fireAt": "2024-05-01T10:01:08.000Z"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:00:08.000Z"
  },
  {
    "type": "OrchestratorStarted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:08.000Z"
  },
  {
    "type": "TimerFired",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:08.000Z",
    "timerId": 4,
    "fireAt": "2024-05-01T10:01:08.000Z"
  },
  {
    "eventId": 5,
    "timestamp": "2024-05-01T10:01:08.000Z",
    "type": "EventSent",
    "instanceId": "shipping",
    "name": "Ship",
    "input": "{\"orderId\":\"order-1\",\"trackingId\":\"280676a5-c8e6-5651-8fce-7a63bc2e7a6a\"}"
  },
  {
    "type": "ExecutionCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:08.000Z",
    "orchestrationStatus": "Completed",
    "result": "{\"reservation\":\"R-order-1\",\"invoice\":\"manual\",\"trackingId\":\"280676a5-c8e6-5651-8fce-7a63bc2e7a6a\"}"
  },
  {
    "type": "OrchestratorCompleted",
    "eventId": -1,
    "timestamp": "2024-05-01T10:01:08.000Z"
  }
];
