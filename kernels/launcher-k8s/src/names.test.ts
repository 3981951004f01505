import { isDnsLabel, isLabelValue, kernelObjectNames, labelValue, userNamespace } from './names';

describe('names and labels of kernel objects', () => {
  it('keeps valid label values and sanitises others, with a hash so distinct inputs stay distinct', () => {
    expect(labelValue('alice')).toBe('alice');
    const a = labelValue('alice@example.com');
    const b = labelValue('alice#example.com');
    expect(a).toMatch(/^alice_example\.com-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(isLabelValue(labelValue('x'.repeat(100)))).toBe(true);
    expect(isLabelValue(labelValue('---'))).toBe(true);
  });

  it('names per-user namespaces as DNS labels, hashing users that are not one already', () => {
    expect(userNamespace('wb', 'alice')).toBe('wb-alice');
    const bob = userNamespace('wb', 'Bob.Smith@example.com');
    expect(bob).toMatch(/^wb-bob-smith-example-com-[0-9a-f]{8}$/);
    expect(userNamespace('wb', 'bob.smith@example.com')).not.toBe(bob);
    expect(isDnsLabel(userNamespace('wb', 'x'.repeat(200)))).toBe(true);
    // A plain name that looks hashed is hashed too, so it cannot collide with a sanitised one.
    expect(userNamespace('wb', 'eve-0123abcd')).toMatch(/^wb-eve-0123abcd-[0-9a-f]{8}$/);
  });

  it('names a kernel pod and its secret after the kernel id, refusing ids that cannot name a pod', () => {
    expect(kernelObjectNames('5f1e0c1a-6c2b-4b1e-9d7a-0f8b7c6d5e4f')).toEqual({ pod: 'kernel-5f1e0c1a-6c2b-4b1e-9d7a-0f8b7c6d5e4f', secret: 'kernel-5f1e0c1a-6c2b-4b1e-9d7a-0f8b7c6d5e4f-connection' });
    expect(() => kernelObjectNames('Not_A_Name')).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});
