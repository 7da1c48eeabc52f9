// The SFU's stream naming and the view height (frankly/web/sfu.js, layout.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_VIEW_HEIGHT, clampHeight, tileViewHeight } from '../../frankly/web/layout.js';
import { CHANNEL_SUFFIX, SCREEN_SUFFIX, SIMULCAST, streamOwner } from '../../frankly/web/sfu.js';

test("a stream of the SFU's offer is named after its publisher", () => {
  assert.deepEqual(streamOwner('p-0a1b2c3d4e'), { id: 'p-0a1b2c3d4e', screen: false, channel: false });
});

test('a screen share is its publisher plus the screen suffix', () => {
  assert.equal(SCREEN_SUFFIX, ':screen');
  assert.deepEqual(streamOwner('p-0a1b2c3d4e:screen'), { id: 'p-0a1b2c3d4e', screen: true, channel: false });
  assert.deepEqual(streamOwner(':screen'), { id: ':screen', screen: false, channel: false }); // nobody's
});

test("an interpreter's channel is its publisher plus the channel suffix, apart from the floor", () => {
  assert.equal(CHANNEL_SUFFIX, ':channel');
  assert.deepEqual(streamOwner('p-0a1b2c3d4e:channel'), { id: 'p-0a1b2c3d4e', screen: false, channel: true });
  assert.deepEqual(streamOwner(':channel'), { id: ':channel', screen: false, channel: false });
});

test('simulcast layers go from low to high, each twice the one before', () => {
  assert.deepEqual(SIMULCAST.map((l) => l.rid), ['q', 'h', 'f']);
  assert.deepEqual(SIMULCAST.map((l) => l.scaleResolutionDownBy), [4, 2, 1]);
});

test('a view height is whole pixels from 0 to 4320', () => {
  assert.equal(clampHeight(359.6), 360);
  assert.equal(clampHeight(-5), 0);
  assert.equal(clampHeight(10_000), MAX_VIEW_HEIGHT);
  assert.equal(clampHeight(Number.NaN), 0);
  assert.equal(clampHeight(Infinity), MAX_VIEW_HEIGHT);
});

test("a tile's view height counts device pixels", () => {
  assert.equal(tileViewHeight(240, 2), 480);
  assert.equal(tileViewHeight(240, 0), 240); // unknown ratio: 1
  assert.equal(tileViewHeight(0, 3), 0); // hidden
  assert.equal(tileViewHeight(2000, 3), MAX_VIEW_HEIGHT);
});
