// Background effects' pure functions (frankly/web/background.js): the choice read back, which model, what a change does.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EFFECTS, effectOf, modelFor, rememberedEffect, transition } from '../../frankly/web/background.js';

test('a stored choice is one of the effects, and anything else is none', () => {
  for (const e of EFFECTS) assert.equal(effectOf(e), e);
  for (const junk of [null, '', 'BLUR', 'blur ', 'sepia', 3, undefined]) assert.equal(effectOf(junk), 'none');
});

test('off by default: with no storage at all the effect is none', () => {
  assert.equal(typeof globalThis.localStorage, 'undefined');
  assert.equal(rememberedEffect(), 'none');
});

test('a wide camera gets the landscape model, an upright one the square model', () => {
  assert.deepEqual(modelFor(1280, 720), { model: 1, width: 256, height: 144 });
  assert.deepEqual(modelFor(640, 640), { model: 1, width: 256, height: 144 });
  assert.deepEqual(modelFor(720, 1280), { model: 0, width: 256, height: 256 });
});

test('turning an effect on wraps the camera, off unwraps it, and blur to replace only switches', () => {
  assert.equal(transition('none', 'blur'), 'wrap');
  assert.equal(transition('none', 'replace'), 'wrap');
  assert.equal(transition('blur', 'none'), 'unwrap');
  assert.equal(transition('replace', 'none'), 'unwrap');
  assert.equal(transition('blur', 'replace'), 'switch');
  assert.equal(transition('replace', 'blur'), 'switch');
  for (const e of EFFECTS) assert.equal(transition(e, e), 'same');
});
