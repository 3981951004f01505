/**
 * What counts as user activity on a kernel, as jupyter_server's
 * `untracked_message_types`: a status whose parent is one of these (e.g. the
 * busy/idle around a client's or our own kernel_info nudge) does not change
 * `execution_state`, and such messages do not refresh `last_activity`, so a
 * reconnecting client neither makes the kernel look busy nor keeps it from
 * being culled. JupyterLab receives the same list in its page config.
 */
export const UNTRACKED_MESSAGE_TYPES: readonly string[] = [
  'comm_info_request',
  'comm_info_reply',
  'kernel_info_request',
  'kernel_info_reply',
  'shutdown_request',
  'shutdown_reply',
  'interrupt_request',
  'interrupt_reply',
  'debug_request',
  'debug_reply',
  'stream',
  'display_data',
  'update_display_data',
  'execute_input',
  'execute_result',
  'error',
  'status',
  'clear_output',
  'debug_event',
  'input_request',
  'input_reply',
];

const untracked = new Set(UNTRACKED_MESSAGE_TYPES);

/** Messages of this type (or answering one) are user activity. An empty type (no parent) is. */
export function isTracked(msgType: string): boolean {
  return !untracked.has(msgType);
}
