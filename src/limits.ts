/**
 * The default size limit of one JSON payload (an input, an output, event data, a custom status), in UTF-8
 * bytes. Large enough for documents, small enough that a history replay stays cheap; configurable on the
 * client, the worker and the server.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * The hard bound on one execution's history (docs/reliability.md, T20), in events. Every step replays the whole
 * history (about 0.65 µs an event), so at the limit a step spends some 30 ms replaying; a looping
 * orchestration should continue as new long before. By default the warning comes at a fifth of it, which
 * leaves room to find out.
 */
export const DEFAULT_MAX_HISTORY_EVENTS = 50_000;
