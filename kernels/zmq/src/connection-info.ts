/** The connection file a kernel is started with (jupyter_client connect.py). */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type SocketName = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

export function endpoint(info: ConnectionInfo, name: SocketName): string {
  const port = info[`${name}_port`];
  // ipc endpoints are "<ip>-<port>" paths, as in jupyter_client.
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://${info.ip.includes(':') ? `[${info.ip}]` : info.ip}:${port}`;
}

export function assertConnectionInfo(value: unknown): asserts value is ConnectionInfo {
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null) throw new Error('Cannot read connection info: not an object');
  if (v.transport !== 'tcp' && v.transport !== 'ipc') throw new Error('Cannot read connection info: transport must be tcp or ipc');
  if (typeof v.ip !== 'string') throw new Error('Cannot read connection info: ip must be a string');
  for (const k of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port']) {
    if (!Number.isInteger(v[k])) throw new Error(`Cannot read connection info: ${k} must be an integer`);
  }
  if (typeof v.key !== 'string' || typeof v.signature_scheme !== 'string') throw new Error('Cannot read connection info: key and signature_scheme must be strings');
}
