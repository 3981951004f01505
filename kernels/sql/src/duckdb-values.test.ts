import { BIGINT, BOOLEAN, DECIMAL, INTEGER, INTERVAL, LIST, MAP, STRUCT, TIME, VARCHAR } from '@duckdb/node-api';
import { coerceForType, scaledDecimal, toBindValue } from './duckdb-values';

describe('scaledDecimal', () => {
  it.each([
    ['1234.565', 2, 123457n],
    ['-1234.565', 2, -123457n],
    ['0.004', 2, 0n],
    ['.5', 0, 1n],
    ['12', 3, 12000n],
    [1.25, 1, 13n],
    [10n, 2, 1000n],
  ] as const)('%s at scale %d is %s', (v, scale, out) => {
    expect(scaledDecimal(v, scale)).toBe(out);
  });

  it('refuses what is not a decimal number', () => {
    expect(() => scaledDecimal('12a', 2)).toThrow('not a decimal number: 12a');
    expect(() => scaledDecimal('', 2)).toThrow(TypeError);
  });
});

describe('coerceForType', () => {
  it('takes what pg returns', () => {
    expect(coerceForType('9007199254740993', BIGINT)).toBe(9007199254740993n);
    expect(coerceForType('42', INTEGER)).toBe(42);
    expect(coerceForType('t', BOOLEAN)).toBe(true);
    expect(coerceForType('off', BOOLEAN)).toBe(false);
    expect(coerceForType('12.345', DECIMAL(10, 2))).toBe(1235n);
    expect(coerceForType({ a: 1n }, VARCHAR)).toBe('{"a":"1"}');
    expect(coerceForType('12:34:56.5', TIME)).toBe(45_296_500_000n);
    expect(coerceForType({ days: 1, hours: 2, milliseconds: 5 }, INTERVAL)).toEqual({ months: 0, days: 1, micros: 7_200_005_000n });
    expect(coerceForType(['1', null], LIST(INTEGER))).toEqual([1, null]);
    expect(coerceForType({ a: '1', extra: 2 }, STRUCT({ a: INTEGER, b: VARCHAR }))).toEqual({ a: 1, b: null });
    expect(coerceForType({ k: '2' }, MAP(VARCHAR, INTEGER))).toEqual([{ key: 'k', value: 2 }]);
    expect(coerceForType(undefined, INTEGER)).toBeNull();
  });

  it('says what it cannot take', () => {
    expect(() => coerceForType('abc', INTEGER)).toThrow('not a number: abc');
    expect(() => coerceForType('maybe', BOOLEAN)).toThrow('not a boolean: maybe');
    expect(() => coerceForType('x', LIST(INTEGER))).toThrow('not a list: x');
  });
});

describe('toBindValue', () => {
  it('types an empty list, which DuckDB cannot infer', () => {
    expect(toBindValue([]).type?.toString()).toBe('VARCHAR[]');
    expect(toBindValue([1]).type).toBeUndefined();
    expect(toBindValue(undefined)).toEqual({ value: null });
  });
});
