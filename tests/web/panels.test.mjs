// The side panel's parts and menus kept inside the window (frankly/web/ui/panels.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fitPanels, menuShift, nextPanels } from '../../frankly/web/ui/panels.js';

test('a wide screen shows people and chat at once, a narrow one people first', () => {
  assert.deepEqual(fitPanels(null, true), { people: true, chat: true });
  assert.deepEqual(fitPanels(null, false), { people: true, chat: false });
  // Narrowed with both open: one goes; widened: nothing changes.
  assert.deepEqual(fitPanels({ people: true, chat: true }, false), { people: true, chat: false });
  assert.deepEqual(fitPanels({ people: false, chat: true }, true), { people: false, chat: true });
  // Widened after a narrowing closed the chat by itself: it comes back.
  const both = { people: true, chat: true };
  assert.deepEqual(fitPanels({ people: true, chat: false }, true, both), both);
});

test('on a narrow screen a part takes the other one’s place; pressed again, it closes', () => {
  assert.deepEqual(nextPanels({ people: true, chat: false }, 'chat', false), { people: false, chat: true });
  assert.deepEqual(nextPanels({ people: false, chat: true }, 'chat', false), { people: false, chat: false });
  assert.deepEqual(nextPanels({ people: false, chat: false }, 'people', false), { people: true, chat: false });
});

test('on a wide screen each part opens and closes on its own', () => {
  assert.deepEqual(nextPanels({ people: true, chat: true }, 'chat', true), { people: true, chat: false });
  assert.deepEqual(nextPanels({ people: true, chat: false }, 'chat', true), { people: true, chat: true });
});

const view = { width: 1024, height: 600 };

test('a menu inside the window stays where it is', () => {
  const button = { left: 100, top: 100, right: 180, bottom: 130 };
  assert.deepEqual(menuShift({ left: 100, top: 130, right: 300, bottom: 300 }, button, view), { flip: null, dx: 0 });
});

test('a menu past the bottom flips above its button; past the top, below', () => {
  const low = { left: 100, top: 500, right: 180, bottom: 530 };
  assert.equal(menuShift({ left: 100, top: 530, right: 300, bottom: 700 }, low, view).flip, 'up');
  const high = { left: 100, top: 20, right: 180, bottom: 50 };
  assert.equal(menuShift({ left: 100, top: -150, right: 300, bottom: 12 }, high, view).flip, 'down');
});

test('a menu past a side edge moves in, keeping 8 px from it', () => {
  const button = { left: 950, top: 100, right: 1010, bottom: 130 };
  assert.equal(menuShift({ left: 900, top: 130, right: 1100, bottom: 300 }, button, view).dx, -84);
  assert.equal(menuShift({ left: -40, top: 130, right: 160, bottom: 300 }, button, view).dx, 48);
});
