import { formatCpu, formatMemory, parseQuantity } from './quantity';

describe('Kubernetes quantities', () => {
  it('formats CPUs in whole millicores, rounding up', () => {
    expect(formatCpu(0.5)).toBe('500m');
    expect(formatCpu(2)).toBe('2');
    expect(formatCpu(1.25)).toBe('1250m');
    expect(formatCpu(0.0001)).toBe('1m');
    expect(() => formatCpu(0)).toThrow(/not a positive number/);
  });

  it('formats memory in the largest exact binary unit', () => {
    expect(formatMemory(512 * 2 ** 20)).toBe('512Mi');
    expect(formatMemory(2 ** 30)).toBe('1Gi');
    expect(formatMemory(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatMemory(1000)).toBe('1000');
    expect(() => formatMemory(-1)).toThrow(/not a positive number/);
  });

  it('parses what it formats and what kubectl users write', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(4)).toBe(4);
    expect(() => parseQuantity('lots')).toThrow(/not a Kubernetes quantity/);
  });
});
