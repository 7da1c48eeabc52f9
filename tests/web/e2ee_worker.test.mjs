// What a malicious server can try with frames, against the browser's own
// transform worker, frankly/web/e2ee/worker.js (run: node --test tests/web/).
//
// The worker runs here as it does in Chromium: messages from the page on
// `onmessage`, each RTP receiver a stream of encoded frames through
// `onrtctransform`. The server holds no key, but it chooses which track a
// frame comes on and can send a frame again.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { REPLAY_WINDOW, ReplayWindow } from '../../frankly/web/e2ee/keyring.js';
import { streamOwners } from '../../frankly/web/e2ee/media.js';
import { clearLength, frameKey, kidFor, seal } from '../../frankly/web/e2ee/sframe.js';

/** What the worker posts to the page. @type {any[]} */
const posted = [];
globalThis.self = globalThis;
globalThis.postMessage = (/** @type {any} */ m) => posted.push(m);
await import('../../frankly/web/e2ee/worker.js');
const worker = /** @type {any} */ (globalThis);

const [ADA, BOB] = ['p-00000000a1', 'p-00000000b2'];
const BASE = { [ADA]: new Uint8Array(32).fill(1), [BOB]: new Uint8Array(32).fill(2) };
for (const id of [ADA, BOB]) worker.onmessage({ data: { op: 'key', participantId: id, gen: 0, base: BASE[id] } });

/** A VP8 delta frame, and it sealed by `id` with counter `ctr`. @param {string} id @param {number} ctr */
async function sealed(id, ctr) {
  const plain = Uint8Array.from([0x31, 0x02, 0x00, ...new TextEncoder().encode(`frame ${ctr} of ${id} `.repeat(8))]);
  const fk = await frameKey(BASE[id], kidFor(id, 0));
  return { plain, frame: await seal(fk, BigInt(ctr), plain, clearLength('video', plain)) };
}

let slots = 100;

/**
 * Frames through a new receiver that shows `sender`; what came out of it.
 * @param {string | null} sender @param {Uint8Array[]} frames @param {'transform' | 'streams'} [how]
 */
async function receive(sender, frames, how = 'transform') {
  const slot = ++slots;
  return through({ side: 'receive', kind: 'video', slot, sender }, frames, how);
}

/** @param {object} options @param {Uint8Array[]} frames @param {'transform' | 'streams'} how */
function through(options, frames, how) {
  /** @type {Uint8Array[]} */
  const out = [];
  return new Promise((resolve) => {
    const readable = new ReadableStream({
      start(controller) {
        for (const f of frames) controller.enqueue({ data: f.slice().buffer });
        controller.close();
      },
    });
    const writable = new WritableStream({
      write: (/** @type {any} */ f) => void out.push(new Uint8Array(f.data)),
      close: () => resolve(out),
    });
    if (how === 'transform') worker.onrtctransform({ transformer: { readable, writable, options } });
    else worker.onmessage({ data: { op: 'streams', ...options, readable, writable } });
  });
}

/** The worker's counters. */
function stats() {
  worker.onmessage({ data: { op: 'stats' } });
  return posted.filter((m) => m.op === 'stats').at(-1).stats;
}

test('a frame offered on another participant\'s track is refused', async () => {
  const { plain, frame } = await sealed(ADA, 1);
  const failedBefore = stats().failed;
  assert.deepEqual(await receive(BOB, [frame]), []); // Ada's video in Bob's tile
  assert.deepEqual(await receive(null, [frame], 'streams'), []); // a track that is nobody's
  assert.equal(stats().failed, failedBefore + 2);
  assert.deepEqual(await receive(ADA, [frame]), [plain]); // where it belongs
});

test('a receiver given to another publisher opens only the new one\'s frames', async () => {
  const ada = await sealed(ADA, 2);
  const bob = await sealed(BOB, 2);
  const slot = ++slots;
  const options = { side: 'receive', kind: 'video', slot, sender: ADA };
  /** @type {(f: Uint8Array) => void} */
  let push = () => {};
  /** @type {() => void} */
  let end = () => {};
  /** @type {Uint8Array[]} */
  const out = [];
  /** @type {(v: unknown) => void} */
  let wrote = () => {};
  const readable = new ReadableStream({
    start(controller) {
      push = (f) => controller.enqueue({ data: f.slice().buffer });
      end = () => controller.close();
    },
  });
  const writable = new WritableStream({ write: (/** @type {any} */ f) => void (out.push(new Uint8Array(f.data)), wrote(f)) });
  worker.onrtctransform({ transformer: { readable, writable, options } });
  const next = () => new Promise((resolve) => (wrote = resolve));
  let written = next();
  push(ada.frame);
  await written;
  worker.onmessage({ data: { op: 'claim', slot, sender: BOB } }); // the SFU reused the m-line
  written = next();
  push(ada.frame); // (refused: Ada's, and played already)
  push(bob.frame);
  await written;
  end();
  assert.deepEqual(out, [ada.plain, bob.plain]);
});

test('a replayed frame is refused; frames out of order are not', async () => {
  const frames = await Promise.all([10, 11, 12, 13].map((ctr) => sealed(ADA, ctr)));
  const before = stats().replayed;
  const order = [1, 0, 3, 2];
  assert.deepEqual(await receive(ADA, order.map((i) => frames[i].frame)), order.map((i) => frames[i].plain));
  // Again, on the same track or on another one that shows Ada: each frame plays once.
  assert.deepEqual(await receive(ADA, [frames[0].frame, frames[3].frame]), []);
  assert.equal(stats().replayed, before + 2);
});

test('the replay window', () => {
  const window = new ReplayWindow();
  assert.ok(window.accept(5n) && !window.accept(5n));
  assert.ok(window.accept(2n) && window.accept(BigInt(REPLAY_WINDOW) + 4n));
  assert.ok(!window.accept(2n)); // seen
  assert.ok(window.accept(6n)); // never seen, still inside
  assert.ok(!window.fresh(4n)); // fallen out of the window: too old to judge
  assert.ok(window.fresh(BigInt(REPLAY_WINDOW) + 3n) && !window.fresh(BigInt(REPLAY_WINDOW) + 4n));
  // Counters skipped by a jump are fresh, wherever their bits had been.
  const jumpy = new ReplayWindow();
  assert.ok(jumpy.accept(1n) && jumpy.accept(BigInt(REPLAY_WINDOW) + 2n));
  assert.ok(jumpy.fresh(BigInt(REPLAY_WINDOW) + 1n));
});

test('who publishes on each m-line of an SFU offer', () => {
  const sdp = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    `a=msid:${ADA} t0`,
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=mid:1',
    `a=msid:${BOB}:screen t1`,
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=mid:2',
    'a=inactive',
    `a=msid:${ADA} t2`,
    'm=video 0 UDP/TLS/RTP/SAVPF 96',
    'a=mid:3',
  ].join('\r\n');
  assert.deepEqual(
    streamOwners(sdp),
    new Map([
      ['0', ADA],
      ['1', BOB],
      ['2', null],
      ['3', null],
    ]),
  );
});
