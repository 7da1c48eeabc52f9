// A remote person's network quality from getStats (frankly/web/ui/quality.js), and the
// microphone meter's level (frankly/web/ui/meter.js), as pure functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { setLanguage } from '../../frankly/web/i18n.js';
import { levelOf } from '../../frankly/web/ui/meter.js';
import { LIMITS, classify, describe, measure, sampleOf } from '../../frankly/web/ui/quality.js';

const calm = { loss: 0, jitter: 0.004, rtt: 0.002, fps: 30, height: 720 };
const seen = { video: true, received: true };

test('loopback is good', () => {
  assert.deepEqual(classify(calm, seen), { level: 'good', why: [] });
});

test('each measure alone makes it fair, then poor, at its limits', () => {
  for (const [name, limit] of Object.entries(LIMITS)) {
    const low = name === 'fps';
    assert.equal(classify({ ...calm, [name]: limit.fair }, seen).level, low ? 'good' : 'fair', `${name} at fair`);
    assert.equal(classify({ ...calm, [name]: limit.poor }, seen).level, low ? 'fair' : 'poor', `${name} at poor`);
    if (low) assert.equal(classify({ ...calm, fps: limit.poor - 1 }, seen).level, 'poor');
    else assert.deepEqual(classify({ ...calm, [name]: limit.poor * 2 }, seen).why, [name]);
  }
});

test('the worst measure decides, and says why', () => {
  const verdict = classify({ ...calm, loss: 0.03, rtt: 0.7 }, seen);
  assert.deepEqual(verdict, { level: 'poor', why: ['loss', 'rtt'] });
});

test('frames count only while the camera is on; nothing at all is poor', () => {
  assert.equal(classify({ ...calm, fps: 0 }, { video: false, received: true }).level, 'good');
  assert.equal(classify({ ...calm, fps: 0 }, seen).level, 'poor');
  assert.deepEqual(classify(calm, { video: true, received: false }), { level: 'poor', why: ['nothing'] });
  assert.equal(classify({ ...calm, rtt: null }, seen).level, 'good');
});

/** A getStats report's values, as Chrome gives them. */
function report(received, lost, frames) {
  return [
    { type: 'inbound-rtp', kind: 'audio', mid: '0', packetsReceived: received, packetsLost: lost, jitter: 0.002 },
    { type: 'inbound-rtp', kind: 'video', mid: '1', packetsReceived: received, packetsLost: lost, jitter: 0.012, framesDecoded: frames, frameHeight: 360 },
    { type: 'inbound-rtp', kind: 'video', mid: '7', packetsReceived: 5000, packetsLost: 900, jitter: 0.5, framesDecoded: 9 },
    { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.04 },
    { type: 'candidate-pair', nominated: false, state: 'waiting', currentRoundTripTime: 0.9 },
  ];
}

test('a sample keeps one person\'s streams (by mid) and the round trip of the pair in use', () => {
  const s = sampleOf(report(100, 2, 50), new Set(['0', '1']), 1000);
  assert.deepEqual(s, { at: 1000, packetsReceived: 200, packetsLost: 4, framesDecoded: 50, jitter: 0.012, rtt: 0.04, height: 360 });
  assert.equal(sampleOf(report(100, 2, 50), null, 0).packetsReceived, 5200);
});

test('measures are over the time between two samples', () => {
  const mids = new Set(['0', '1']);
  const m = measure(sampleOf(report(100, 0, 50), mids, 0), sampleOf(report(190, 5, 110), mids, 2000));
  assert.equal(m.loss, 10 / 190);
  assert.equal(m.fps, 30);
  assert.equal(m.rtt, 0.04);
  assert.equal(m.height, 360);
  // Nothing came: no loss to speak of, and no frames.
  const still = measure(sampleOf(report(100, 0, 50), mids, 0), sampleOf(report(100, 0, 50), mids, 2000));
  assert.equal(still.loss, 0);
  assert.equal(still.fps, 0);
});

test('the words say the level and every measure, in the language chosen', () => {
  setLanguage('en');
  const { word, details } = describe('good', calm, true);
  assert.equal(word, 'Good');
  assert.equal(details, 'Connection: Good. 0.0% packets lost, jitter 4 ms, round trip 2 ms, frames a second: 30, picture 720 px high');
  assert.equal(describe('poor', { ...calm, rtt: null }, false).details, 'Connection: Poor. 0.0% packets lost, jitter 4 ms');
  setLanguage('ru');
  assert.equal(describe('fair', calm, false).word, 'Средняя');
  setLanguage('en');
});

test('the meter reads silence as 0, full scale as 100, and speech in between', () => {
  assert.equal(levelOf(new Float32Array(512)), 0);
  assert.equal(levelOf([]), 0);
  assert.equal(levelOf(new Float32Array(512).fill(1)), 100);
  const tone = Float32Array.from({ length: 512 }, (_, i) => 0.1 * Math.sin(i / 4));
  const level = levelOf(tone);
  assert.ok(level > 40 && level < 80, String(level));
  assert.equal(levelOf(new Float32Array(512).fill(0.0005)), 0); // a quiet room's hum
});
