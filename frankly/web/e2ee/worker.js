// The frame transform worker: encrypts every frame we send and decrypts
// every frame we receive (docs/security.md). One worker per session, so all
// our senders share one frame counter per key.
//
// From the page (postMessage):
//   {op: 'send-key', participantId, gen, base}   seal with this from now on
//   {op: 'key', participantId, gen, base}        a sender's key
//   {op: 'room-secret', secret}                  passphrase room
//   {op: 'forget', participantId}
//   {op: 'claim', slot, sender}                  receiver `slot` now carries `sender`'s frames
//   {op: 'stats'}                                answered with {op: 'stats', stats}
//   {op: 'streams', side, kind, slot?, sender?, readable, writable}   createEncodedStreams fallback
// To the page: {op: 'stats', stats}, {op: 'decrypting', participantId, ok}.
// Frames arrive by the 'rtctransform' event (RTCRtpScriptTransform) with
// options {side: 'send' | 'receive', kind: 'audio' | 'video', slot?, sender?}.
//
// A receiver (`slot`, numbered by media.js) opens only the frames of the
// participant its track is shown as (`sender`: null while nobody's), and
// each frame once: a frame from another participant, or one already played
// under its key, is dropped.

import { KeyRing, SendKey } from './keyring.js';
import { clearLength, decodeHeader, open, seal, senderOf } from './sframe.js';

/// <reference lib="webworker" />
const scope = /** @type {any} */ (self);

const ring = new KeyRing();
/** @type {SendKey | null} */
let sending = null;

/** @type {Map<number, string | null>} whose frames each receiver opens */
const claims = new Map();

/** Per-sender receive health: a change from ok to failing (or back) is told to the page. */
/** @type {Map<string, {ok: boolean, failures: number}>} */
const health = new Map();
/** Failed frames in a row before a sender counts as undecryptable. */
const FAILING_AFTER = 10;

const stats = {
  encrypted: 0,
  encryptMs: 0,
  decrypted: 0,
  decryptMs: 0,
  /** frames that did not open: no key, tampered with, or not from the track's participant */
  failed: 0,
  /** frames played already under their key (or too old to tell) */
  replayed: 0,
  /** frames dropped because we had no key to send with yet */
  unsent: 0,
  /** @type {Record<string, number>} frames decrypted per sender */
  from: {},
};

scope.onmessage = (/** @type {MessageEvent} */ event) => {
  const m = event.data;
  if (m.op === 'send-key') sending = new SendKey(m.participantId, m.gen, m.base);
  else if (m.op === 'key') ring.add(m.participantId, m.gen, m.base);
  else if (m.op === 'room-secret') ring.roomSecret = m.secret;
  else if (m.op === 'forget') {
    ring.forget(m.participantId);
    health.delete(m.participantId);
  } else if (m.op === 'claim') claims.set(m.slot, m.sender ?? null);
  else if (m.op === 'stats') scope.postMessage({ op: 'stats', stats });
  else if (m.op === 'streams') pipe(m.readable, m.writable, m);
};

// @ts-ignore: 'rtctransform' is not in TypeScript's worker event map yet
scope.onrtctransform = (/** @type {any} */ event) => {
  const t = event.transformer;
  pipe(t.readable, t.writable, t.options);
};

/**
 * @param {ReadableStream} readable @param {WritableStream} writable
 * @param {{side: 'send' | 'receive', kind: 'audio' | 'video', slot?: number, sender?: string | null}} options
 */
function pipe(readable, writable, options) {
  const { side, kind } = options;
  const slot = options.slot ?? 0;
  if (side === 'receive') claims.set(slot, options.sender ?? null);
  /** @type {(frame: any) => Promise<boolean>} */
  const step = side === 'send' ? (frame) => encryptFrame(frame, kind) : (frame) => decryptFrame(frame, kind, slot);
  const transform = new TransformStream({
    async transform(frame, controller) {
      if (await step(frame)) controller.enqueue(frame);
    },
  });
  readable
    .pipeThrough(transform)
    .pipeTo(writable)
    .catch(() => {}); // the connection closed
}

/**
 * Seal one outgoing frame in place; false drops it (nothing is ever sent in
 * the clear).
 * @param {any} frame RTCEncodedVideoFrame or RTCEncodedAudioFrame
 * @param {'audio' | 'video'} kind
 */
async function encryptFrame(frame, kind) {
  const data = new Uint8Array(frame.data);
  const clear = clearLength(kind, data);
  if (data.length <= clear) return true; // empty or bare: nothing to hide
  const key = sending;
  if (!key) {
    stats.unsent += 1;
    return false;
  }
  const started = performance.now();
  frame.data = (await seal(await key.key, key.next(), data, clear)).buffer;
  stats.encryptMs += performance.now() - started;
  stats.encrypted += 1;
  return true;
}

/**
 * Open one incoming frame in place; false drops it.
 * @param {any} frame @param {'audio' | 'video'} kind @param {number} slot the receiver it came on
 */
async function decryptFrame(frame, kind, slot) {
  const data = new Uint8Array(frame.data);
  const clear = clearLength(kind, data);
  if (data.length <= clear) return true;
  const started = performance.now();
  const claimed = claims.get(slot) ?? null;
  const opened = await openFrame(data, clear, claimed);
  if (opened === 'replayed') {
    stats.replayed += 1;
    return false;
  }
  note(claimed ?? '?', opened !== null);
  if (!opened) {
    stats.failed += 1;
    return false;
  }
  frame.data = opened.buffer;
  stats.decryptMs += performance.now() - started;
  stats.decrypted += 1;
  stats.from[/** @type {string} */ (claimed)] = (stats.from[/** @type {string} */ (claimed)] ?? 0) + 1;
  return true;
}

/**
 * A frame opened, if `claimed` sealed it with a key we hold and it is new
 * to that key's replay window.
 * @param {Uint8Array<ArrayBuffer>} data @param {number} clear @param {string | null} claimed
 * @returns {Promise<Uint8Array<ArrayBuffer> | null | 'replayed'>}
 */
async function openFrame(data, clear, claimed) {
  const header = decodeHeader(data, clear);
  if (!header || !claimed || senderOf(header.kid).participantId !== claimed) return null;
  const fk = await ring.lookup(header.kid);
  if (!fk) return null;
  if (ring.windowOf(header.kid)?.fresh(header.ctr) === false) return 'replayed';
  const plain = await open(fk, data, clear);
  if (!plain) return null;
  // Checked again once opened: another track may have played the same frame meanwhile.
  return ring.windowOf(header.kid)?.accept(header.ctr) === false ? 'replayed' : plain;
}

/** @param {string} participantId @param {boolean} ok */
function note(participantId, ok) {
  let h = health.get(participantId);
  if (!h) health.set(participantId, (h = { ok: true, failures: 0 }));
  h.failures = ok ? 0 : h.failures + 1;
  const nowOk = h.failures < FAILING_AFTER;
  if (nowOk !== h.ok) {
    h.ok = nowOk;
    scope.postMessage({ op: 'decrypting', participantId, ok: nowOk });
  }
}
