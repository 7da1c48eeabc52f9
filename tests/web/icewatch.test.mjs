// When a link restarts ICE (frankly/web/icewatch.js), on a fake peer connection and mock timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DISCONNECTED_GRACE_MS, RESTART_RETRY_MS, watchIce } from '../../frankly/web/icewatch.js';

class FakePc extends EventTarget {
  iceConnectionState = 'connected';
  /** @param {string} state */
  set(state) {
    this.iceConnectionState = state;
    this.dispatchEvent(new Event('iceconnectionstatechange'));
  }
}

function watched(t) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const pc = new FakePc();
  const restarts = [];
  const stop = watchIce(/** @type {any} */ (pc), () => restarts.push(pc.iceConnectionState));
  return { pc, restarts, stop };
}

test('a short disconnection that comes back restarts nothing', (t) => {
  const { pc, restarts } = watched(t);
  pc.set('disconnected');
  t.mock.timers.tick(DISCONNECTED_GRACE_MS - 1);
  pc.set('connected');
  t.mock.timers.tick(DISCONNECTED_GRACE_MS * 2);
  assert.deepEqual(restarts, []);
});

test('a disconnection that lasts restarts ICE, and again while it stays down', (t) => {
  const { pc, restarts } = watched(t);
  pc.set('disconnected');
  t.mock.timers.tick(DISCONNECTED_GRACE_MS);
  assert.deepEqual(restarts, ['disconnected']);
  t.mock.timers.tick(RESTART_RETRY_MS);
  assert.equal(restarts.length, 2);
  pc.set('connected');
  t.mock.timers.tick(RESTART_RETRY_MS * 2);
  assert.equal(restarts.length, 2);
});

test('failed restarts at once', (t) => {
  const { pc, restarts } = watched(t);
  pc.set('failed');
  t.mock.timers.tick(0);
  assert.deepEqual(restarts, ['failed']);
});

test('a stopped watch restarts nothing', (t) => {
  const { pc, restarts, stop } = watched(t);
  pc.set('disconnected');
  stop();
  t.mock.timers.tick(RESTART_RETRY_MS * 2);
  pc.set('failed');
  t.mock.timers.tick(0);
  assert.deepEqual(restarts, []);
});
