// The frame transform worker: encrypts every frame we send and decrypts
// every frame we receive (docs/security.md). One worker per session, so all
// our senders share one frame counter per key.
//
// From the page (postMessage):
//   {op: 'send-key', participantId, gen, base}   seal with this from now on
//   {op: 'key', participantId, gen, base}        a sender's key
//   {op: 'room-secret', secret}                  passphrase room
//   {op: 'forget', participantId}
//   {op: 'stats'}                                answered with {op: 'stats', stats}
//   {op: 'streams', side, kind, readable, writable}   createEncodedStreams fallback
// To the page: {op: 'stats', stats}, {op: 'decrypting', participantId, ok}.
// Frames arrive by the 'rtctransform' event (RTCRtpScriptTransform) with
// options {side: 'send' | 'receive', kind: 'audio' | 'video'}.

import { KeyRing, SendKey } from './keyring.js';
import { clearLength, open, peekKid, seal, senderOf } from './sframe.js';

/// <reference lib="webworker" />
const scope = /** @type {any} */ (self);

const ring = new KeyRing();
/** @type {SendKey | null} */
let sending = null;

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
  failed: 0,
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
  } else if (m.op === 'stats') scope.postMessage({ op: 'stats', stats });
  else if (m.op === 'streams') pipe(m.readable, m.writable, m.side, m.kind);
};

// @ts-ignore: 'rtctransform' is not in TypeScript's worker event map yet
scope.onrtctransform = (/** @type {any} */ event) => {
  const t = event.transformer;
  pipe(t.readable, t.writable, t.options.side, t.options.kind);
};

/**
 * @param {ReadableStream} readable @param {WritableStream} writable
 * @param {'send' | 'receive'} side @param {'audio' | 'video'} kind
 */
function pipe(readable, writable, side, kind) {
  const step = side === 'send' ? encryptFrame : decryptFrame;
  const transform = new TransformStream({
    async transform(frame, controller) {
      if (await step(frame, kind)) controller.enqueue(frame);
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
 * @param {any} frame @param {'audio' | 'video'} kind
 */
async function decryptFrame(frame, kind) {
  const data = new Uint8Array(frame.data);
  const clear = clearLength(kind, data);
  if (data.length <= clear) return true;
  const started = performance.now();
  const kid = peekKid(data, clear);
  const fk = kid === null ? null : await ring.lookup(kid);
  const plain = fk ? await open(fk, data, clear) : null;
  const sender = kid === null ? '?' : senderOf(kid).participantId;
  note(sender, plain !== null);
  if (!plain) {
    stats.failed += 1;
    return false;
  }
  frame.data = plain.buffer;
  stats.decryptMs += performance.now() - started;
  stats.decrypted += 1;
  stats.from[sender] = (stats.from[sender] ?? 0) + 1;
  return true;
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
