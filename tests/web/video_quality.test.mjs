// The video quality preference's camera sizes and layers (frankly/web/sfu.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CAMERA_SIZE, SAVE_SIZE, SIMULCAST, cameraSize, simulcastFor, withQuality } from '../../frankly/web/sfu.js';

test('best quality is the camera and layers as before; save bandwidth is 640x360', () => {
  assert.equal(cameraSize('best'), CAMERA_SIZE);
  assert.equal(simulcastFor('best'), SIMULCAST);
  assert.deepEqual(cameraSize('save'), { width: { ideal: 640 }, height: { ideal: 360 } });
  assert.equal(cameraSize('save'), SAVE_SIZE);
});

test('saving bandwidth keeps the rids, turns the top one off and lowers the caps', () => {
  const save = simulcastFor('save');
  assert.deepEqual(save.map((l) => l.rid), ['q', 'h', 'f']);
  assert.deepEqual(save.map((l) => l.active ?? true), [true, true, false]);
  for (const layer of save.slice(0, 2)) {
    const best = SIMULCAST.find((l) => l.rid === layer.rid);
    assert.ok((layer.maxBitrate ?? 0) <= (best?.maxBitrate ?? 0), layer.rid);
  }
  // From a 640x360 camera: 320x180 and 640x360.
  assert.deepEqual(save.slice(0, 2).map((l) => 360 / (l.scaleResolutionDownBy ?? 1)), [180, 360]);
});

/** @param {object[]} encodings */
const params = (encodings) => /** @type {RTCRtpSendParameters} */ ({ transactionId: 'x', encodings, codecs: [], headerExtensions: [], rtcp: {} });

test('a simulcast sender takes the layers of the quality chosen, by rid, and back', () => {
  const sent = withQuality(params(SIMULCAST.map((l) => ({ ...l, active: true }))), 'save');
  assert.deepEqual(sent.encodings.map((e) => [e.rid, e.active, e.scaleResolutionDownBy, e.maxBitrate]), [
    ['q', true, 2, 150_000],
    ['h', true, 1, 400_000],
    ['f', false, 1, 400_000],
  ]);
  const back = withQuality(sent, 'best');
  assert.deepEqual(back.encodings.map((e) => [e.rid, e.active, e.scaleResolutionDownBy, e.maxBitrate]), [
    ['q', true, 4, 150_000],
    ['h', true, 2, 500_000],
    ['f', true, 1, 1_500_000],
  ]);
});

test('a peer-to-peer sender is capped when saving and uncapped at best', () => {
  const one = withQuality(params([{ active: true }]), 'save');
  assert.equal(one.encodings[0].maxBitrate, 500_000);
  assert.equal(withQuality(one, 'best').encodings[0].maxBitrate, undefined);
});
