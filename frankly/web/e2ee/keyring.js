// Every sender's keys as one participant holds them (docs/security.md,
// *Sending keys and their generations*). One KeyRing lives in the transform
// worker for media and one on the page for chat; both are told the same keys.

import { frameKey, kidFor, passphraseBase, ratchet, senderOf } from './sframe.js';

/** Generations kept per sender, for frames still in flight. */
const KEEP = 4;
/** A frame further ahead than this is not worth ratcheting toward. */
const MAX_RATCHET = 16;

/**
 * @typedef {import('./sframe.js').FrameKey} FrameKey
 * @typedef {{base: Uint8Array<ArrayBuffer>, derived: boolean, keys: Map<string, Promise<FrameKey>>}} Generation
 */

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

  /** @param {string} participantId */
  forget(participantId) {
    this.senders.delete(participantId);
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
      return;
    }
    gens.set(gen, { base, derived, keys: new Map() });
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
