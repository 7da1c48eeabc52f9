// Who is here (frankly/web/roster.js): welcome reconciliation, hands, shown names.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { displayNames, handOrder, labelWithSide, reconcile, sideOf } from '../../frankly/web/roster.js';

/** @param {string} id @param {string} name @param {object} [more] */
const person = (id, name, more = {}) => ({ id, name, audio: true, video: true, connected: true, ...more });

test('reconcile: who left while we were away, who stayed, who came', () => {
  const { gone, kept, added } = reconcile(['p-a', 'p-b'], [person('p-b', 'Bo'), person('p-c', 'Cy')]);
  assert.deepEqual(gone, ['p-a']);
  assert.deepEqual(kept.map((p) => p.id), ['p-b']);
  assert.deepEqual(added.map((p) => p.id), ['p-c']);
});

test('reconcile from nothing adds everyone, in the order of the welcome', () => {
  const { gone, kept, added } = reconcile([], [person('p-2', 'B'), person('p-1', 'A')]);
  assert.deepEqual([gone, kept], [[], []]);
  assert.deepEqual(added.map((p) => p.id), ['p-2', 'p-1']);
});

test('handOrder: raised hands in the order they went up', () => {
  const people = [person('a', 'A', { hand: 7 }), person('b', 'B', { hand: null }), person('c', 'C', { hand: 3 }), person('d', 'D')];
  assert.deepEqual(handOrder(people), ['c', 'a']);
});

test('a name nobody shares is shown as it is', () => {
  const names = displayNames([person('p-aaaa11', 'Ada'), person('p-bbbb22', 'Grace')]);
  assert.equal(names.get('p-aaaa11'), 'Ada');
  assert.equal(names.get('p-bbbb22'), 'Grace');
});

test('two people of the same name get a tag from their participant id', () => {
  const names = displayNames([person('p-3f9c01a2b4', 'Ada'), person('p-77e0c5d1aa', 'ada '), person('p-0000000000', 'Grace')]);
  assert.equal(names.get('p-3f9c01a2b4'), 'Ada #3f9c');
  assert.equal(names.get('p-77e0c5d1aa'), 'ada  #77e0');
  assert.equal(names.get('p-0000000000'), 'Grace');
});

test('the tags do not depend on the order people are listed in', () => {
  const a = person('p-1234aa', 'Sam');
  const b = person('p-9876bb', 'Sam');
  assert.deepEqual([...displayNames([a, b])].sort(), [...displayNames([b, a])].sort());
});

test('tags grow until they differ', () => {
  const names = displayNames([person('p-abcd12', 'Lin'), person('p-abcd34', 'Lin'), person('p-ffff00', 'Lin')]);
  assert.equal(names.get('p-abcd12'), 'Lin #abcd1');
  assert.equal(names.get('p-abcd34'), 'Lin #abcd3');
  assert.equal(names.get('p-ffff00'), 'Lin #ffff0');
  assert.equal(new Set(names.values()).size, 3);
});

test('a side is shown only when the server set one', () => {
  assert.equal(sideOf(person('p-1', 'Ann', { side: 'United States' })), 'United States');
  assert.equal(sideOf(person('p-2', 'Bo', { side: null })), null);
  assert.equal(sideOf(person('p-3', 'Cy')), null);
  assert.equal(sideOf(person('p-4', 'Di', { side: '  ' })), null);
  assert.equal(labelWithSide('Ann', 'United States'), 'Ann, United States');
  assert.equal(labelWithSide('Bo', null), 'Bo');
});
