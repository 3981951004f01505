/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity):
 * "500m", "2", "512Mi", "1G", "1e3". Formatting is what the Pod builder
 * writes; parsing is for messages and the cluster simulator's scheduler.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** CPUs as a quantity, rounded up to whole millicores: 0.5 -> "500m", 2 -> "2". */
export function formatCpu(cpus: number): string {
  if (!Number.isFinite(cpus) || cpus <= 0) throw new RangeError(`Cannot format CPU quantity: ${cpus} is not a positive number`);
  const milli = Math.ceil(cpus * 1000 - 1e-6);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as a quantity in the largest exact binary unit: 536870912 -> "512Mi". */
export function formatMemory(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) throw new RangeError(`Cannot format memory quantity: ${bytes} is not a positive number`);
  const whole = Math.ceil(bytes);
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const size = BINARY[unit]!;
    if (whole >= size && whole % size === 0) return `${whole / size}${unit}`;
  }
  return String(whole);
}

/** A quantity as a plain number (cores for CPU, bytes for memory); throws on malformed input. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new RangeError(`Cannot parse quantity ${JSON.stringify(q)}: not a Kubernetes quantity`);
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix]!);
}
