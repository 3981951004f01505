import { parseCpus, parseMemory, resolveResources, ResourcePolicy } from './resources';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

describe('quantities', () => {
  it('reads memory as Kubernetes writes it', () => {
    expect(parseMemory('512Mi')).toBe(512 * Mi);
    expect(parseMemory('2Gi')).toBe(2 * Gi);
    expect(parseMemory('1G')).toBe(1e9);
    expect(parseMemory('1.5Gi')).toBe(1.5 * Gi);
    expect(parseMemory(1048576)).toBe(Mi);
    expect(() => parseMemory('lots', 'KERNEL_MEMORY_LIMIT')).toThrow('Cannot use KERNEL_MEMORY_LIMIT "lots": write a quantity like 512Mi, 2Gi or 1G');
    expect(() => parseMemory('-1Gi')).toThrow(/quantity/);
  });

  it('reads CPUs as cores or millicores', () => {
    expect(parseCpus('500m')).toBe(0.5);
    expect(parseCpus('2')).toBe(2);
    expect(parseCpus(1.5)).toBe(1.5);
    expect(() => parseCpus('two')).toThrow(/write cores like 0.5, 2 or 500m/);
    expect(() => parseCpus('0')).toThrow(/write cores/);
  });
});

describe('resolveResources', () => {
  const policy: ResourcePolicy = { defaults: { memoryLimitBytes: 4 * Gi, pidsLimit: 1024 }, max: { memoryLimitBytes: 8 * Gi, cpusLimit: 4 } };

  it('takes the server defaults when nobody asks', () => {
    expect(resolveResources(policy, undefined, {})).toEqual({ resources: { memoryLimitBytes: 4 * Gi, pidsLimit: 1024, cpusLimit: 4 }, capped: [] });
  });

  it('prefers the request over the kernelspec over the defaults', () => {
    const spec = { memory_limit: '1Gi', cpus_limit: '500m', pids_limit: 64 };
    expect(resolveResources(policy, spec, {}).resources).toEqual({ memoryLimitBytes: 1 * Gi, cpusLimit: 0.5, pidsLimit: 64 });
    const asked = resolveResources(policy, spec, { KERNEL_MEMORY_LIMIT: '2Gi', KERNEL_CPUS_LIMIT: '2', KERNEL_MEMORY: '512Mi', KERNEL_CPUS: '250m' });
    expect(asked.resources).toEqual({ memoryLimitBytes: 2 * Gi, cpusLimit: 2, memoryBytes: 512 * Mi, cpus: 0.25, pidsLimit: 64 });
  });

  it('caps what a request asks by policy, and says what it lowered', () => {
    const r = resolveResources(policy, undefined, { KERNEL_MEMORY_LIMIT: '64Gi', KERNEL_CPUS_LIMIT: '16', KERNEL_MEMORY: '32Gi' });
    expect(r.resources).toMatchObject({ memoryLimitBytes: 8 * Gi, cpusLimit: 4, memoryBytes: 8 * Gi });
    expect([...r.capped].sort()).toEqual(['cpusLimit 16 -> 4', `memoryBytes ${32 * Gi} -> ${8 * Gi}`, `memoryLimitBytes ${64 * Gi} -> ${8 * Gi}`]);
  });

  it('ignores empty values and rejects malformed ones', () => {
    expect(resolveResources(policy, undefined, { KERNEL_MEMORY_LIMIT: '' }).resources.memoryLimitBytes).toBe(4 * Gi);
    expect(() => resolveResources(policy, undefined, { KERNEL_CPUS_LIMIT: 'fast' })).toThrow(/KERNEL_CPUS_LIMIT "fast"/);
  });
});
