import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  isBoolean,
  isInteger,
  isNumber,
  isString,
  nullable,
  objectOf,
  oneOf,
  optional,
  recordOf,
} from './shape.ts';

describe('shape checks', () => {
  it('tell scalars apart', () => {
    expect([isString('a'), isString(1), isString(null)]).toEqual([true, false, false]);
    expect([isBoolean(false), isBoolean(0), isBoolean('true')]).toEqual([true, false, false]);
    expect([isNumber(1.5), isNumber(NaN), isNumber(Infinity), isNumber('1')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([isInteger(3), isInteger(3.5), isInteger(2 ** 60), isInteger('3')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('accept only the listed strings', () => {
    const isColour = oneOf(['red', 'green']);
    expect([isColour('red'), isColour('blue'), isColour(['red']), isColour(undefined)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    // Not a string that merely looks like an array member.
    expect(isColour('red,green')).toBe(false);
  });

  it('check every element of an array and every value of a record', () => {
    const ints = arrayOf(isInteger);
    expect([ints([]), ints([1, 2]), ints([1, '2']), ints({ 0: 1, length: 1 })]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const map = recordOf(isString);
    expect([map({}), map({ a: 'x' }), map({ a: 'x', b: 2 }), map(['x']), map(null)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('check objects field by field: required fields must be there, optional ones may not', () => {
    const isPoint = objectOf({ x: isNumber, y: isNumber, label: optional(isString) });
    expect(isPoint({ x: 1, y: 2 })).toBe(true);
    expect(isPoint({ x: 1, y: 2, label: 'a' })).toBe(true);
    // Keys the check does not name are left alone.
    expect(isPoint({ x: 1, y: 2, extra: [1] })).toBe(true);
    expect(isPoint({ x: 1 })).toBe(false);
    expect(isPoint({ x: 1, y: 2, label: 3 })).toBe(false);
    expect(isPoint({ x: 1, y: null })).toBe(false);
    expect(isPoint([1, 2])).toBe(false);
    expect(isPoint(null)).toBe(false);
    expect(isPoint('{"x":1,"y":2}')).toBe(false);
    // A field that is only on the prototype is not the object's.
    expect(isPoint(Object.create({ x: 1, y: 2 }))).toBe(false);
  });

  it('reject a bad value however deep it is', () => {
    const isTree = objectOf({
      items: arrayOf(objectOf({ id: isString, tags: arrayOf(oneOf(['a', 'b'])) })),
      owner: nullable(objectOf({ name: isString })),
    });
    const good = { items: [{ id: '1', tags: ['a'] }], owner: null };
    expect(isTree(good)).toBe(true);
    expect(isTree({ ...good, owner: { name: 'n' } })).toBe(true);
    expect(isTree({ ...good, items: [{ id: '1', tags: ['a', 'c'] }] })).toBe(false);
    expect(isTree({ ...good, owner: undefined })).toBe(false);
    expect(isTree({ ...good, owner: { name: 1 } })).toBe(false);
  });
});
