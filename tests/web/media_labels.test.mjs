// The microphone and camera buttons name what a press does now (frankly/web/ui/dom.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MEDIA_LABELS } from '../../frankly/web/ui/dom.js';

test('a muted microphone offers Unmute, an open one Mute', () => {
  assert.deepEqual(MEDIA_LABELS.mic(true), { short: 'Unmute', long: 'Unmute microphone' });
  assert.deepEqual(MEDIA_LABELS.mic(false), { short: 'Mute', long: 'Mute microphone' });
});

test('a camera that is off offers Camera on, one that is on Camera off', () => {
  assert.equal(MEDIA_LABELS.cam(true).short, 'Camera on');
  assert.equal(MEDIA_LABELS.cam(false).short, 'Camera off');
  for (const off of [true, false]) assert.notEqual(MEDIA_LABELS.cam(off).long, MEDIA_LABELS.cam(!off).long);
});
