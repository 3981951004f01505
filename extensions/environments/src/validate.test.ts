import type { EnvironmentInfo as ServerInfo } from '@workbench/environments';
import { EnvironmentsError } from './environments-api';
import type { EnvironmentInfo } from './types';
import { readAbilities, readEnvironments, readPruned } from './validate';

const ENV: EnvironmentInfo = { id: 'proj-0123456789abcdef', project: 'proj', file: 'proj/requirements.txt', builtAt: 1, lastUsedAt: 2, sizeBytes: 3, current: true, inUse: false };

function invalid(fn: () => unknown): EnvironmentsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvironmentsError);
    expect((err as EnvironmentsError).kind).toBe('invalid_response');
    return err as EnvironmentsError;
  }
  throw new Error('expected a refusal');
}

describe('the environments API as the screen reads it', () => {
  test('the server’s shape, both ways (checked by tsc), extra keys dropped', () => {
    const server: ServerInfo = ENV;
    const mirrored: EnvironmentInfo = server;
    expect(readEnvironments(JSON.parse(JSON.stringify([{ ...mirrored, extra: 1 }])))).toEqual([ENV]);
    expect(readEnvironments([])).toEqual([]);
  });

  test('what is wrong is named', () => {
    expect(invalid(() => readEnvironments({})).message).toBe('Cannot read the environments: the server answered with unexpected JSON (the answer is not an array)');
    expect(invalid(() => readEnvironments([{ ...ENV, inUse: 'no' }])).message).toContain('[0].inUse is not true or false');
    expect(invalid(() => readEnvironments([{ ...ENV, sizeBytes: null }])).message).toContain('[0].sizeBytes is not a number');
    expect(invalid(() => readPruned({ removed: 'x' })).message).toContain('removed');
  });

  test('what the user may do', () => {
    expect(readAbilities({ permissions: { environments: ['read'] } })).toEqual({ read: true, write: false });
    expect(readAbilities({ permissions: { environments: ['read', 'write'] } })).toEqual({ read: true, write: true });
    expect(readAbilities({})).toEqual({ read: false, write: false });
    expect(readPruned({ removed: ['a-0123456789abcdef'] })).toEqual(['a-0123456789abcdef']);
  });
});
