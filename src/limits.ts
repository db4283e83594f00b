/**
 * The default size limit of one JSON payload (an input, an output, event data, a custom status), in UTF-8
 * bytes. Large enough for documents, small enough that a history replay stays cheap; configurable on the
 * client, the worker and the server.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
