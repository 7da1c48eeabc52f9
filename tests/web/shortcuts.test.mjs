// The meeting screen's keyboard shortcuts (frankly/web/ui/shortcuts.js): which key does what.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SHORTCUTS, actionFor, isTyping } from '../../frankly/web/ui/shortcuts.js';

test('each letter asks for its action when nobody types', () => {
  assert.equal(actionFor({ key: 'm' }, false), 'mic');
  assert.equal(actionFor({ key: 'v' }, false), 'camera');
  assert.equal(actionFor({ key: 'h' }, false), 'hand');
  assert.equal(actionFor({ key: 'c' }, false), 'chat');
  assert.equal(actionFor({ key: 's' }, false), 'share');
  assert.equal(actionFor({ key: 'p' }, false), 'people');
  assert.equal(actionFor({ key: '?' }, false), 'help');
  assert.equal(actionFor({ key: 'x' }, false), null);
});

test('leave needs Shift: a plain l does nothing', () => {
  assert.equal(actionFor({ key: 'L' }, false), 'leave');
  assert.equal(actionFor({ key: 'l' }, false), null);
  assert.equal(actionFor({ key: 'M' }, false), null);
});

test('no single-key shortcut while typing or with Ctrl, Alt or Meta held', () => {
  for (const s of SHORTCUTS.filter((s) => s.action !== 'escape')) {
    assert.equal(actionFor({ key: s.key }, true), null, s.key);
    assert.equal(actionFor({ key: s.key, ctrlKey: true }, false), null, s.key);
    assert.equal(actionFor({ key: s.key, altKey: true }, false), null, s.key);
    assert.equal(actionFor({ key: s.key, metaKey: true }, false), null, s.key);
  }
});

test('Escape closes things even while typing', () => {
  assert.equal(actionFor({ key: 'Escape' }, true), 'escape');
  assert.equal(actionFor({ key: 'Escape' }, false), 'escape');
});

test('text fields, selects and contenteditable count as typing; buttons and checkboxes do not', () => {
  assert.ok(isTyping({ tagName: 'INPUT', type: 'text' }));
  assert.ok(isTyping({ tagName: 'INPUT', type: '' }));
  assert.ok(isTyping({ tagName: 'INPUT', type: 'password' }));
  assert.ok(isTyping({ tagName: 'TEXTAREA' }));
  assert.ok(isTyping({ tagName: 'SELECT' }));
  assert.ok(isTyping({ tagName: 'DIV', isContentEditable: true }));
  assert.ok(!isTyping({ tagName: 'INPUT', type: 'checkbox' }));
  assert.ok(!isTyping({ tagName: 'BUTTON' }));
  assert.ok(!isTyping({ tagName: 'BODY' }));
  assert.ok(!isTyping(null));
});

test('every key is listed once, with something it does', () => {
  const keys = SHORTCUTS.map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length);
  for (const s of SHORTCUTS) assert.ok(s.does && s.keys, s.key);
});
