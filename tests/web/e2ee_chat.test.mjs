// What a malicious server can try with sealed chat, against the browser's own
// frankly/web/e2ee/keys.js (run: node --test tests/web/). WebCrypto is Node's.
//
// The server holds no key, so it cannot forge; but it says who a message is
// from, and can relay it again under a new id. Each test first shows the
// genuine case opens, so that the refusal it then checks can fail.

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

// The frame worker is not this test's part: the page-side E2ee only posts to it.
globalThis.Worker = class {
  postMessage() {}
  terminate() {}
};
const { E2ee, KEY_WAIT_MS } = await import('../../frankly/web/e2ee/keys.js');

const [ADA, BOB, CAROL, EVE] = ['p-00000000a1', 'p-00000000b2', 'p-00000000c3', 'p-00000000e4'];

/** In-memory participants whose `e2ee` payloads reach each other in order, as relayed. */
class Room {
  constructor() {
    /** @type {Map<string, InstanceType<typeof E2ee>>} */
    this.sessions = new Map();
    /** @type {{from: string, to: string, payload: object}[]} */
    this.relay = [];
  }

  /** @param {string} id */
  session(id) {
    const e2ee = new E2ee({ room: 'relay-test', send: (to, payload) => this.relay.push({ from: id, to, payload }) });
    e2ee.start(id);
    return e2ee;
  }

  /** `id` comes in: the others learn of it late, it of them from its welcome. @param {string} id */
  async join(id) {
    const e2ee = this.enter(id);
    await this.settle();
    return e2ee;
  }

  /** `id` comes in, its messages not yet relayed. @param {string} id */
  enter(id) {
    const e2ee = this.session(id);
    for (const [other, session] of this.sessions) {
      session.peerAdded(id, true);
      e2ee.peerAdded(other, false);
    }
    this.sessions.set(id, e2ee);
    return e2ee;
  }

  /** Relay until nobody has anything more to say. */
  async settle() {
    for (;;) {
      await Promise.all([...this.sessions.values()].map((s) => s.inbox));
      if (this.relay.length === 0) return;
      for (const m of this.relay.splice(0)) this.sessions.get(m.to)?.handle(m.from, m.payload);
    }
  }

  close() {
    for (const s of this.sessions.values()) s.close();
  }
}

/** Settles once `condition` holds; throws if it does not within a few thousand turns. @param {() => boolean} condition */
async function until(condition) {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 5000) throw new Error('the condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function three() {
  const room = new Room();
  const people = [await room.join(ADA), await room.join(BOB), await room.join(CAROL)];
  return { room, ada: people[0], bob: people[1], carol: people[2] };
}

test('a chat message said to be from another is refused', async () => {
  const { room, ada, bob, carol } = await three();
  const sealed = await ada.sealChat('the offer is 40');
  assert.equal(await carol.openChat(ADA, 7, sealed), 'the offer is 40');
  assert.equal(await carol.openChat(BOB, 8, sealed), false); // Ada's words under Bob's name
  assert.equal(await bob.openChat(BOB, 7, sealed), false);
  assert.equal(await ada.openChat(ADA, 7, sealed), 'the offer is 40'); // our own echo
  room.close();
});

test('a chat message relayed again under a new id is refused', async () => {
  const { room, ada, carol } = await three();
  const sealed = await ada.sealChat('yes');
  assert.equal(await carol.openChat(ADA, 7, sealed), 'yes');
  assert.equal(await carol.openChat(ADA, 7, sealed), 'yes'); // the same message (history again)
  assert.equal(await carol.openChat(ADA, 9, sealed), false); // a replay
  // Each message is its own: the same words sealed again are a new message.
  assert.equal(await carol.openChat(ADA, 10, await ada.sealChat('yes')), 'yes');
  room.close();
});

test('junk and what was sealed before we came do not open', async () => {
  const room = new Room();
  const ada = await room.join(ADA);
  const before = await ada.sealChat('before Bob');
  const bob = await room.join(BOB);
  assert.equal(await bob.openChat(ADA, 1, before), null);
  assert.equal(await bob.openChat(ADA, 2, 'not base64!'), null);
  assert.equal(await bob.openChat(ADA, 3, await ada.sealChat('after')), 'after');
  room.close();
});

test('chat waits for its sender\'s first key', async () => {
  const room = new Room();
  const ada = await room.join(ADA);
  const eve = room.enter(EVE); // what she says at once outruns her key to Ada
  await Promise.all([ada.inbox, eve.inbox]);
  const sealed = await eve.sealChat('hi all');
  let settled = false;
  const opening = ada.openChat(EVE, 1, sealed).finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(settled, false);
  const started = Date.now();
  await room.settle(); // the exchange runs; her key reaches Ada
  assert.equal(await opening, 'hi all');
  assert.ok(Date.now() - started < 1000);
  room.close();
});

test('a line relayed just before its sender leaves still opens', async () => {
  const { room, ada, carol } = await three();
  const opening = carol.openChat(ADA, 1, await ada.sealChat('bye'));
  carol.peerRemoved(ADA); // the server's `left` comes right behind it
  assert.equal(await opening, 'bye');
  room.close();
});

for (const ends of ['left', 'failed', 'fresh start', 'close']) {
  test(`the wait for a key ends: ${ends}`, async () => {
    const room = new Room();
    const ada = await room.join(ADA);
    ada.peerAdded(EVE, true); // Eve's messages never come through
    const eve = room.session(EVE);
    await Promise.all([ada.inbox, eve.inbox]);
    const opening = ada.openChat(EVE, 1, await eve.sealChat('lost'));
    await until(() => ada.keys.keyWaits.has(EVE));
    const started = Date.now();
    if (ends === 'left') ada.peerRemoved(EVE);
    else if (ends === 'failed') {
      ada.handle(EVE, { kind: 'commit', commit: 'one' });
      ada.handle(EVE, { kind: 'commit', commit: 'another' });
    } else if (ends === 'fresh start') ada.start(ADA);
    else ada.close();
    assert.equal(await opening, null);
    assert.ok(Date.now() - started < KEY_WAIT_MS / 5);
    room.close();
    eve.close();
  });
}

test('the wait for a key ends after KEY_WAIT_MS', async () => {
  const room = new Room();
  const ada = await room.join(ADA);
  ada.peerAdded(EVE, true);
  const eve = room.session(EVE);
  await Promise.all([ada.inbox, eve.inbox]);
  const sealed = await eve.sealChat('lost');
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const opening = ada.openChat(EVE, 1, sealed);
    await until(() => ada.keys.keyWaits.has(EVE));
    mock.timers.tick(KEY_WAIT_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ada.keys.keyWaits.get(EVE)?.size, 1); // still waiting
    mock.timers.tick(1);
    assert.equal(await opening, null);
  } finally {
    mock.timers.reset();
  }
  room.close();
  eve.close();
});

test('pairs start pending, as in the SDK', async () => {
  const room = new Room();
  const ada = await room.join(ADA);
  ada.peerAdded(EVE, true);
  assert.equal(ada.pairState(EVE), 'pending');
  room.close();
});
