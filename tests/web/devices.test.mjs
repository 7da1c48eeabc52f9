// What a camera or microphone problem is called (frankly/web/ui/devices.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeMediaError, mediaProblem, statusOf } from '../../frankly/web/ui/devices.js';

/** @param {string} name */
const failure = (name) => Object.assign(new Error('x'), { name });

test('getUserMedia failures by name', () => {
  assert.equal(statusOf(failure('NotAllowedError')), 'denied');
  assert.equal(statusOf(failure('OverconstrainedError')), 'absent');
  assert.equal(statusOf(failure('NotReadableError')), 'busy');
  assert.equal(statusOf(failure('TypeError')), 'error');
  assert.equal(statusOf('nonsense'), 'error');
  assert.equal(describeMediaError(failure('NotFoundError')), 'none was found');
  assert.equal(describeMediaError(failure('Whatever')), 'it could not be started');
});

test('nothing to say while asking, or when all is well', () => {
  assert.equal(mediaProblem('pending', 'ok'), '');
  assert.equal(mediaProblem('ok', 'ok'), '');
  assert.equal(mediaProblem('ok', 'off'), '');
});

test('both refused for the same reason say it once', () => {
  const text = mediaProblem('denied', 'denied');
  assert.match(text, /can’t use your camera or microphone: permission was denied/);
  assert.match(text, /You can still join/);
});

test('one device missing says which, and what is left', () => {
  assert.match(mediaProblem('ok', 'busy'), /camera: it is in use by another app\. You can join with your microphone only/);
  assert.match(mediaProblem('absent', 'ok'), /microphone: none was found/);
});
