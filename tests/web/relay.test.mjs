// "Hide my address": what the control says (frankly/web/ui/relay.js) and when
// there is a relay to hide behind (frankly/web/session.js's hasTurn).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { relayHint } from '../../frankly/web/ui/relay.js';
import { hasTurn } from '../../frankly/web/session.js';

test('without a relay the control says the address cannot be hidden', () => {
  assert.match(relayHint(false, true), /no TURN relay, so your address can’t be hidden/);
  assert.match(relayHint(false, false), /no TURN relay/);
});

test('with a relay it says what is hidden, and what is not', () => {
  assert.match(relayHint(true, true), /the other side sees the relay’s address, not yours/);
  assert.match(relayHint(true, false), /can learn your IP address/);
});

test('connections made before a change are named until a rejoin', () => {
  assert.match(relayHint(true, true, true), /still go direct: rejoin/);
  assert.match(relayHint(true, false, true), /still go through the relay until you rejoin/);
});

test('only turn: and turns: URLs are a relay', () => {
  assert.equal(hasTurn([]), false);
  assert.equal(hasTurn([{ urls: 'stun:stun.example.org:3478' }]), false);
  assert.equal(hasTurn([{ urls: ['stun:x', 'turns:turn.example.org:443?transport=tcp'] }]), true);
  assert.equal(hasTurn([{ urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'c' }]), true);
});
