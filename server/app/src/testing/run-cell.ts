/** Run code on a kernel through @jupyterlab/services and collect what a user reads: stdout and the error. */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

export async function runCell(k: Kernel.IKernelConnection, code: string): Promise<{ stdout: string; error?: string }> {
  let stdout = '';
  let error: string | undefined;
  const future = k.requestExecute({ code });
  future.onIOPub = (m) => {
    if (m.header.msg_type === 'stream') stdout += (m.content as KernelMessage.IStreamMsg['content']).text;
    if (m.header.msg_type === 'error') error = `${(m.content as KernelMessage.IErrorMsg['content']).ename}: ${(m.content as KernelMessage.IErrorMsg['content']).evalue}`;
  };
  await future.done;
  return { stdout: stdout.trim(), error };
}
