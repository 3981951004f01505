/**
 * The ZeroMQ wire format (jupyter_client messaging.rst "The Wire Protocol"):
 *   [identities..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...]
 */
import { ProtocolError, RawMessage } from './messages';
import { Signer } from './signer';

export const DELIMITER = Buffer.from('<IDS|MSG>');

export function serializeWire(msg: RawMessage, signer: Signer): Buffer[] {
  const parts = [msg.header, msg.parentHeader, msg.metadata, msg.content];
  const sig = Buffer.from(signer.sign(parts), 'ascii');
  return [...msg.identities, DELIMITER, sig, ...parts, ...msg.buffers];
}

/** Parse and verify frames from a kernel. Throws ProtocolError on a bad delimiter or signature. */
export function parseWire(frames: readonly Buffer[], signer: Signer): RawMessage {
  let d = -1;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i]!.equals(DELIMITER)) {
      d = i;
      break;
    }
  }
  if (d < 0) throw new ProtocolError('Cannot parse kernel message: no <IDS|MSG> delimiter');
  if (frames.length < d + 6) throw new ProtocolError(`Cannot parse kernel message: ${frames.length - d - 1} frames after the delimiter, need at least 5`);
  const parts = frames.slice(d + 2, d + 6);
  if (!signer.verify(frames[d + 1]!, parts)) throw new ProtocolError('Cannot accept kernel message: invalid HMAC signature');
  return {
    identities: frames.slice(0, d),
    header: parts[0]!,
    parentHeader: parts[1]!,
    metadata: parts[2]!,
    content: parts[3]!,
    buffers: frames.slice(d + 6),
  };
}
