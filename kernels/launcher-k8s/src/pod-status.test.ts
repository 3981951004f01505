import { assertPod, describeFinished, describePending, exitInfoOf, fatalWaiting, isRunning, Pod, recordWaiting } from './pod-status';

function pod(status: Record<string, unknown>, extra: Record<string, unknown> = {}): Pod {
  const p = {
    metadata: { name: 'kernel-1', namespace: 'wb', resourceVersion: '7', uid: 'u1' },
    spec: { nodeName: 'node-a', containers: [{ name: 'kernel', image: 'img', resources: { limits: { memory: '512Mi' } } }] },
    status,
    ...extra,
  };
  assertPod(p, 'a test');
  return p;
}

const terminated = (state: Record<string, unknown>) => ({ phase: 'Failed', containerStatuses: [{ name: 'kernel', state: { terminated: state } }] });

describe('reading kernel pod status', () => {
  it('rejects objects that are not pods', () => {
    expect(() => assertPod({ metadata: { name: 'x' } }, 'GET')).toThrow('Cannot read pod from GET: metadata.resourceVersion is not a string');
    expect(() => assertPod({ metadata: { name: 'x', resourceVersion: '1' }, status: { containerStatuses: {} } }, 'a watch')).toThrow(/containerStatuses is not a list/);
  });

  it('is running only with phase Running and a pod IP', () => {
    expect(isRunning(pod({ phase: 'Running', podIP: '10.0.0.5' }))).toBe(true);
    expect(isRunning(pod({ phase: 'Running' }))).toBe(false);
    expect(isRunning(pod({ phase: 'Pending', podIP: '10.0.0.5' }))).toBe(false);
  });

  it('turns container terminations into ExitInfo: codes, signals, OOM with its limit, start errors', () => {
    expect(exitInfoOf(pod(terminated({ exitCode: 3, reason: 'Error' })))).toEqual({ code: 3, signal: null });
    expect(exitInfoOf(pod(terminated({ exitCode: 0, reason: 'Completed' })))).toEqual({ code: 0, signal: null });
    expect(exitInfoOf(pod(terminated({ exitCode: 143, reason: 'Error' })))).toEqual({ code: null, signal: 'SIGTERM' });
    expect(exitInfoOf(pod(terminated({ exitCode: 137, reason: 'OOMKilled' })))).toEqual({ code: null, signal: 'SIGKILL', reason: 'out of memory (limit 512Mi)' });
    expect(exitInfoOf(pod(terminated({ exitCode: 128, reason: 'StartError', message: 'exec: "/k": not found' })))).toEqual({ code: 128, signal: null, reason: 'the container could not start: exec: "/k": not found' });
    expect(exitInfoOf(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }))).toEqual({ code: null, signal: null, reason: 'Evicted: The node was low on resource: memory.' });
    expect(
      exitInfoOf(pod({ phase: 'Failed', initContainerStatuses: [{ name: 'connection-file', state: { terminated: { exitCode: 127, reason: 'Error', message: 'install: not found' } } }] })),
    ).toMatchObject({ code: null, reason: expect.stringMatching(/init container connection-file failed with exit code 127: install: not found/) });
  });

  it('says why a finished pod never ran', () => {
    expect(describeFinished(pod(terminated({ exitCode: 2, reason: 'Error' })))).toBe('container kernel ended with exit code 2');
    expect(describeFinished(pod({ phase: 'Failed', initContainerStatuses: [{ name: 'connection-file', state: { terminated: { exitCode: 127, reason: 'Error' } } }] }))).toMatch(/the image needs `install`/);
  });

  it('says why a pod is pending: scheduling, image pulls (with the earlier registry error), creation', () => {
    expect(describePending(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] }, { spec: { containers: [] } }))).toBe(
      'the pod cannot be scheduled (Unschedulable): 0/3 nodes are available: 3 Insufficient memory.',
    );
    expect(describePending(pod({ phase: 'Pending' }, { spec: { containers: [] } }))).toBe('the pod has not been scheduled to a node yet');
    const seen = new Map<string, string>();
    const pulling = pod({ phase: 'Pending', containerStatuses: [{ name: 'kernel', state: { waiting: { reason: 'ErrImagePull', message: 'img: not found' } } }] });
    recordWaiting(pulling, seen);
    expect(fatalWaiting(pulling)).toBeUndefined();
    const backoff = pod({ phase: 'Pending', containerStatuses: [{ name: 'kernel', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' } } }] });
    expect(fatalWaiting(backoff)).toEqual({ container: 'kernel', reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' });
    expect(describePending(backoff, seen)).toBe('container kernel is waiting (ImagePullBackOff): Back-off pulling image "img"; the pull failed with: img: not found');
    expect(describePending(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'connection-file', state: { running: {} } }] }))).toBe('init container connection-file is still running');
    expect(describePending(pod({ phase: 'Pending' }, { metadata: { name: 'k', resourceVersion: '1', deletionTimestamp: '2025-01-01T00:00:00Z' } }))).toBe('the pod is being deleted');
  });
});
