// Every sender's keys as one participant holds them (docs/security.md,
// *Sending keys and their generations*), and beside each key the ReplayWindow
// that plays each media frame once. One KeyRing lives in the transform worker
// for media and one on the page for chat; both are told the same keys.
// frankly/client/e2ee/keyring.py is the SDK's twin.

import { frameKey, kidFor, passphraseBase, ratchet, senderOf } from './sframe.js';

/** Generations kept per sender, for frames still in flight. */
const KEEP = 4;
/** A frame further ahead than this is not worth ratcheting toward. */
const MAX_RATCHET = 16;
/**
 * Media frames of one sender key that may arrive out of order. A sender's
 * counter runs across all its tracks (audio, each simulcast layer, a screen),
 * some 200 frames a second, and each track has its own jitter buffer: 4096 is
 * some twenty seconds of lateness, far more than any buffer holds. A frame
 * older than that is refused.
 */
export const REPLAY_WINDOW = 4096;

/**
 * @typedef {import('./sframe.js').FrameKey} FrameKey
 * @typedef {{base: Uint8Array<ArrayBuffer>, derived: boolean, keys: Map<string, Promise<FrameKey>>,
 *            window: ReplayWindow}} Generation
 */

/**
 * The counters of one sender key seen lately, so that each frame plays once.
 * `top` is the highest counter accepted; the bit of counter c sits at c mod
 * REPLAY_WINDOW. Only a frame that authenticated is recorded, so a forged
 * counter cannot push the window past the sender's real frames.
 */
export class ReplayWindow {
  constructor() {
    this.top = -1n;
    this.seen = new Uint32Array(REPLAY_WINDOW / 32);
  }

  /** Whether a frame of `ctr` was never accepted and is not too old to judge. @param {bigint} ctr */
  fresh(ctr) {
    if (ctr > this.top) return true;
    return this.top - ctr < BigInt(REPLAY_WINDOW) && !this.bit(ctr);
  }

  /** Record `ctr`; false (and nothing recorded) if it is not fresh. @param {bigint} ctr */
  accept(ctr) {
    if (!this.fresh(ctr)) return false;
    if (ctr > this.top) {
      // The counters between the old top and this one have not been seen.
      if (ctr - this.top >= BigInt(REPLAY_WINDOW)) this.seen.fill(0);
      else for (let c = this.top + 1n; c < ctr; c++) this.set(c, false);
      this.top = ctr;
    }
    this.set(ctr, true);
    return true;
  }

  /** @param {bigint} ctr */
  bit(ctr) {
    const at = Number(ctr % BigInt(REPLAY_WINDOW));
    return ((this.seen[at >> 5] >>> (at & 31)) & 1) === 1;
  }

  /** @param {bigint} ctr @param {boolean} on */
  set(ctr, on) {
    const at = Number(ctr % BigInt(REPLAY_WINDOW));
    if (on) this.seen[at >> 5] |= 1 << (at & 31);
    else this.seen[at >> 5] &= ~(1 << (at & 31));
  }
}

export class KeyRing {
  constructor() {
    /** @type {Map<string, Map<number, Generation>>} sender id -> generation -> keys */
    this.senders = new Map();
    /** @type {Uint8Array<ArrayBuffer> | null} set in a passphrase room: any sender's key derives from it */
    this.roomSecret = null;
  }

  /**
   * A key for `participantId`'s generation `gen`, as told by them (or our own).
   * @param {string} participantId @param {number} gen @param {Uint8Array<ArrayBuffer>} base
   */
  add(participantId, gen, base) {
    this.put(participantId, gen, base, false);
  }

  /**
   * In a passphrase room a sender's key is kept after it leaves: anyone may
   * derive it again, and forgetting it would lose its replay window.
   * @param {string} participantId
   */
  forget(participantId) {
    if (!this.roomSecret) this.senders.delete(participantId);
  }

  /** Whether we hold any key of this sender. @param {string} participantId */
  holds(participantId) {
    return (this.senders.get(participantId)?.size ?? 0) > 0;
  }

  /**
   * The replay window of the key of `kid`, once `lookup` found it.
   * @param {bigint} kid @returns {ReplayWindow | null}
   */
  windowOf(kid) {
    const { participantId, gen } = senderOf(kid);
    return this.senders.get(participantId)?.get(gen)?.window ?? null;
  }

  /**
   * The key that opens frames of `kid`, ratcheting a known generation forward
   * when the frame is ahead of it; null when there is none.
   * @param {bigint} kid @param {(base: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>} [variant]
   *   the key's use (chat seals with a key derived from the base)
   * @returns {Promise<FrameKey | null>}
   */
  async lookup(kid, variant) {
    const { participantId, gen } = senderOf(kid);
    const entry = this.senders.get(participantId)?.get(gen) ?? (await this.reach(participantId, gen));
    if (!entry) return null;
    const use = variant ? 'chat' : 'media';
    let fk = entry.keys.get(use);
    if (!fk) {
      fk = (variant ? variant(entry.base) : Promise.resolve(entry.base)).then((b) => frameKey(b, kid));
      entry.keys.set(use, fk);
    }
    return fk;
  }

  /**
   * Derive a generation we were not told: by ratchet from the newest one we
   * hold below it, or from the room secret.
   * @param {string} participantId @param {number} gen
   * @returns {Promise<Generation | null>}
   */
  async reach(participantId, gen) {
    if (this.roomSecret) {
      if (gen !== 0) return null;
      this.put(participantId, 0, await passphraseBase(this.roomSecret, participantId), true);
      return this.senders.get(participantId)?.get(0) ?? null;
    }
    const gens = this.senders.get(participantId);
    const below = [...(gens?.keys() ?? [])].filter((g) => g < gen);
    if (!gens || below.length === 0) return null;
    const from = Math.max(...below);
    if (gen - from > MAX_RATCHET) return null;
    let base = /** @type {Generation} */ (gens.get(from)).base;
    for (let g = from + 1; g <= gen; g++) base = await ratchet(base);
    // Someone may have told us this generation while we derived it.
    if (!gens.has(gen)) this.put(participantId, gen, base, true);
    return gens.get(gen) ?? null;
  }

  /**
   * @param {string} participantId @param {number} gen @param {Uint8Array<ArrayBuffer>} base
   * @param {boolean} derived a guess by ratchet, replaced by what the sender says
   */
  put(participantId, gen, base, derived) {
    let gens = this.senders.get(participantId);
    if (!gens) this.senders.set(participantId, (gens = new Map()));
    const had = gens.get(gen);
    if (had && !had.derived && derived) return;
    if (had && !derived && equal(had.base, base)) {
      had.derived = false;
      return; // the same key: its replay window goes on
    }
    gens.set(gen, { base, derived, keys: new Map(), window: new ReplayWindow() });
    // Keep the newest few: a frame of a generation forgotten here is dropped.
    const sorted = [...gens.keys()].sort((a, b) => b - a);
    for (const old of sorted.slice(KEEP)) gens.delete(old);
  }
}

/**
 * What one participant seals with: its current generation and a frame
 * counter that never repeats under one key.
 */
export class SendKey {
  /** @param {string} participantId @param {number} gen @param {Uint8Array<ArrayBuffer>} base */
  constructor(participantId, gen, base) {
    this.kid = kidFor(participantId, gen);
    this.ctr = 0n;
    /** @type {Promise<FrameKey>} */
    this.key = frameKey(base, this.kid);
  }

  next() {
    const ctr = this.ctr;
    this.ctr += 1n;
    return ctr;
  }
}

/** @param {Uint8Array<ArrayBuffer>} a @param {Uint8Array<ArrayBuffer>} b */
function equal(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
