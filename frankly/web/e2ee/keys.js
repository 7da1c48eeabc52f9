// End-to-end encryption for one participant, on the page (docs/security.md).
//
// E2ee owns our identity and sending keys, runs the per-pair key exchange
// over `e2ee` messages, tells the transform worker every key, attaches that
// worker to every RTP sender and receiver (media.js), and seals and opens
// chat. The frames themselves never pass through the page: the worker
// encrypts them.
//
// What it opens must come from whom the server says: a frame from the
// participant its track belongs to, a chat message from its `from`; and each
// is opened once (a replay is refused). frankly/client/e2ee/keys.py is the
// SDK's twin, rule for rule.

import { Emitter } from '../emitter.js';
import { KeyRing } from './keyring.js';
import { FrameTransforms, connectionOptions, e2eeSupported } from './media.js';
import { safetyCode } from './safety.js';
import {
  chatBase,
  decodeHeader,
  frameKey,
  hkdf,
  kidFor,
  open,
  passphraseBase,
  ratchet,
  roomSecret,
  seal,
  senderOf,
} from './sframe.js';

export { e2eeSupported };

/** How long the others get to receive a rotated key before we send with it. */
export const ROTATE_AFTER_MS = 1000;
/** How long a chat message waits for its sender's first key (a newcomer's may be on its way). */
export const KEY_WAIT_MS = 5000;
/** The id every caption is opened under (chat ids count from 1). */
const CAPTION_RELAY_ID = 0;

/**
 * Where a pair of participants stands:
 *   pending     keys on their way
 *   ready       we hold each other's keys
 *   failed      their key did not match their commitment: no keys flow
 *   passphrase  both derive keys from the room's passphrase
 * @typedef {'pending' | 'ready' | 'failed' | 'passphrase'} PairState
 * @typedef {'unverified' | 'verified' | 'mismatch'} Verdict
 * @typedef {{state: PairState, verdict: Verdict, sentCommit: boolean, sentIdentity: boolean,
 *            theirCommit: string | null, theirPub: Uint8Array<ArrayBuffer> | null, key: CryptoKey | null}} Pair
 * @typedef {{kind: string} & Record<string, unknown>} Payload
 * @typedef {string | null | false} ChatText an opened chat message: its text;
 *   null when no key we hold opens it (sent before we came, or by someone
 *   whose keys never reached us); false when it is refused, never to be
 *   shown: sealed by someone other than its `from`, or a replay of a message
 *   already shown under another id
 */

/**
 * Events: pair ({id, state, verdict}) when a pair's state or verdict changes,
 * decrypting ({id, ok}) when a sender's frames stop or start opening.
 */
export class E2ee extends Emitter {
  /**
   * @param {{room: string, passphrase?: string | null,
   *          send: (to: string, payload: Payload) => void}} opts
   */
  constructor(opts) {
    super();
    this.room = opts.room;
    this.passphrase = opts.passphrase || null;
    this.send = opts.send;
    /** What each RTCPeerConnection is made with (see connectionOptions). */
    this.pcOptions = connectionOptions();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => this.fromWorker(event.data);
    /** Which frames the worker seals and opens, connection by connection. */
    this.media = new FrameTransforms(this.worker);
    /** @type {((value: unknown) => void) | undefined} opens the inbox once we have keys */
    this.started = undefined;
    /** Work is done in order, and none of it before our first keys exist. */
    /** @type {Promise<unknown>} */
    this.inbox = new Promise((resolve) => {
      this.started = resolve;
    });
    /** @type {((m: {stats: object}) => void)[]} */
    this.statsWaiting = [];
    /** Everything that belongs to one identity in the room. */
    this.keys = blankKeys();
  }

  /** Forget every key and pair: a fresh join is a new identity. */
  reset() {
    if (this.keys) {
      clearTimeout(this.keys.rotateTimer);
      this.wakeAll(); // what waited for the old identity's keys opens now, or never
    }
    this.keys = blankKeys();
  }

  /**
   * Begin as participant `selfId` (again after a fresh join): a new identity
   * and a first sending key.
   * @param {string} selfId
   */
  start(selfId) {
    const release = this.started;
    if (!release) {
      this.queue(() => this.begin(selfId));
      return;
    }
    this.started = undefined;
    this.begin(selfId)
      .catch((err) => console.error('frankly: e2ee could not start', err))
      .finally(() => release(undefined));
  }

  /** @param {string} selfId */
  async begin(selfId) {
    this.reset();
    this.keys.selfId = selfId;
    if (this.passphrase) {
      const secret = await roomSecret(this.passphrase, this.room);
      this.keys.ring.roomSecret = secret;
      this.worker.postMessage({ op: 'room-secret', secret });
      this.useKey(0, await passphraseBase(secret, selfId));
      return;
    }
    const pair = /** @type {CryptoKeyPair} */ (
      await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])
    );
    const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    this.keys.identity = { priv: pair.privateKey, pub, commit: b64(await commitment(pub)) };
    this.useKey(0, crypto.getRandomValues(new Uint8Array(32)));
  }

  // --- who is here -------------------------------------------------------------

  /**
   * Someone is in the room with us. `late` when they came after us: then
   * our key ratchets first, so they cannot read what came before.
   * @param {string} id @param {boolean} late
   */
  peerAdded(id, late) {
    this.queue(async () => {
      this.keys.gone.delete(id);
      if (late && !this.passphrase) {
        this.settleRotation();
        this.useKey(this.keys.gen + 1, await ratchet(this.keys.base));
      }
      this.pair(id);
    });
  }

  /**
   * Someone left: a fresh key for those who remain, in use once they have it.
   * @param {string} id
   */
  peerRemoved(id) {
    this.queue(async () => {
      this.keys.pairs.delete(id);
      this.keys.gone.add(id);
      this.keys.failing.delete(id);
      // The page's ring keeps their keys: a line they said just before leaving
      // may still be waiting its turn in the chat (the worker forgets them).
      this.wake(id); // no keys will come
      this.worker.postMessage({ op: 'forget', participantId: id });
      if (this.passphrase) return;
      const next = { gen: Math.max(this.keys.gen, this.keys.next?.gen ?? 0) + 1, base: crypto.getRandomValues(new Uint8Array(32)) };
      this.keys.next = next;
      for (const [peer, pair] of this.keys.pairs) if (pair.state === 'ready') await this.sendKey(peer, pair, next);
      clearTimeout(this.keys.rotateTimer);
      this.keys.rotateTimer = setTimeout(() => this.queue(async () => this.settleRotation()), ROTATE_AFTER_MS);
    });
  }

  /** Start sending with the rotated key now, if one waits. */
  settleRotation() {
    clearTimeout(this.keys.rotateTimer);
    if (this.keys.next) this.useKey(this.keys.next.gen, this.keys.next.base);
    this.keys.next = null;
  }

  /**
   * An `e2ee` message from a peer.
   * @param {string} from @param {unknown} payload
   */
  handle(from, payload) {
    if (!payload || typeof payload !== 'object') return;
    const p = /** @type {Record<string, unknown>} */ (payload);
    this.queue(async () => {
      // Unknown kinds, and anything from ourselves or from someone who left, are ignored.
      if (this.passphrase || !this.keys.identity || from === this.keys.selfId || this.keys.gone.has(from)) return;
      const pair = this.pair(from);
      if (p.kind === 'commit' && typeof p.commit === 'string') this.onCommit(from, pair, p.commit);
      else if (p.kind === 'identity' && typeof p.key === 'string') await this.onIdentity(from, pair, p.key);
      else if (p.kind === 'key' && typeof p.iv === 'string' && typeof p.data === 'string') {
        await this.onKey(from, pair, p.iv, p.data);
      }
    });
  }

  // --- what the UI asks ----------------------------------------------------------

  /** @param {string} id @returns {PairState} */
  pairState(id) {
    if (this.passphrase) return 'passphrase';
    return this.keys.pairs.get(id)?.state ?? 'pending';
  }

  /** @param {string} id @returns {Verdict} */
  verdict(id) {
    return this.keys.pairs.get(id)?.verdict ?? 'unverified';
  }

  /**
   * What the user said after comparing safety codes with `id`.
   * @param {string} id @param {Verdict} verdict
   */
  setVerdict(id, verdict) {
    const pair = this.keys.pairs.get(id);
    if (!pair || pair.state !== 'ready') return;
    pair.verdict = verdict;
    this.emit('pair', { id, state: pair.state, verdict });
  }

  /**
   * The six emoji we and `id` should both see; null until keys are exchanged.
   * @param {string} id
   */
  async safetyCode(id) {
    const pair = this.keys.pairs.get(id);
    if (!pair?.theirPub || !this.keys.identity || pair.state !== 'ready') return null;
    return safetyCode(this.keys.selfId, this.keys.identity.pub, id, pair.theirPub);
  }

  /**
   * Whether `id` is here and its keys may still come (none held yet).
   * @param {string} id
   */
  awaitingKeys(id) {
    const state = this.keys.pairs.get(id)?.state;
    return (state === 'pending' || state === 'ready') && !this.keys.ring.holds(id);
  }

  /** @param {string} id whether `id`'s frames are failing to open */
  undecryptable(id) {
    return this.keys.failing.get(id) === true;
  }

  /** The worker's counters (frames, time spent, failures). */
  stats() {
    return new Promise((resolve) => {
      this.statsWaiting.push(/** @type {any} */ (resolve));
      this.worker.postMessage({ op: 'stats' });
    });
  }

  // --- chat ----------------------------------------------------------------------

  /**
   * Seal a chat text with our current key (base64 for the `sealed` field).
   * @param {string} text @returns {Promise<string>}
   */
  async sealChat(text) {
    await this.inbox;
    const fk = await frameKey(await chatBase(this.keys.base), kidFor(this.keys.selfId, this.keys.gen));
    const ctr = new DataView(crypto.getRandomValues(new Uint8Array(8)).buffer).getBigUint64(0);
    return b64(await seal(fk, ctr, new TextEncoder().encode(text), 0));
  }

  /**
   * A sealed chat message that the server relayed as `id` from `from`.
   * A newcomer may speak before its key reaches us: while the pair with
   * `from` is pending (or ready with no key of theirs yet) the message waits
   * for their first key, up to KEY_WAIT_MS. Then as openChatNow.
   * @param {string} from @param {number} id @param {string} sealed @returns {Promise<ChatText>}
   */
  async openChat(from, id, sealed) {
    await this.inbox;
    if (this.awaitingKeys(from)) await this.keyFrom(from);
    return this.openChatNow(from, id, sealed);
  }

  /**
   * A sealed chat message opened with the keys we hold now (see ChatText).
   * Its KID, which the seal authenticates, must name `from`; and the same
   * sealed message (KID and CTR) is shown once, under the first id it came
   * as: that id again is the same message, another id a replay.
   * @param {string} from @param {number} id @param {string} sealed @returns {Promise<ChatText>}
   */
  async openChatNow(from, id, sealed) {
    let bytes;
    try {
      bytes = unb64(sealed);
    } catch {
      return null;
    }
    const header = decodeHeader(bytes, 0);
    if (!header) return null;
    if (senderOf(header.kid).participantId !== from) {
      console.warn(`frankly: a chat message said to be from ${from} was sealed by someone else`);
      return false;
    }
    const fk = await this.keys.ring.lookup(header.kid, chatBase);
    const plain = fk ? await open(fk, bytes, 0) : null;
    if (!plain) return null;
    const seen = `${header.kid}:${header.ctr}`;
    const first = this.keys.chatSeen.get(seen) ?? id;
    if (first !== id) {
      console.warn(`frankly: a chat message from ${from} came again as ${id}: a replay`);
      return false;
    }
    this.keys.chatSeen.set(seen, id);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      return null;
    }
  }

  /**
   * A caption line the server relayed from `from` (the captioner), opened
   * exactly as a chat message is: sealed with the captioner's chat key,
   * waiting for its first key like chat. Caption relays carry no id, so all
   * of them count as one: a chat message relayed again as a caption is
   * refused as a replay; a caption relayed twice opens twice, which the
   * caption board absorbs (a line is keyed by speaker and line number, and
   * a final is never undone).
   * @param {string} from @param {string} sealed @returns {Promise<ChatText>}
   */
  async openCaption(from, sealed) {
    return this.openChat(from, CAPTION_RELAY_ID, sealed);
  }

  // --- booth chat (docs/security.md, "Booth chat") ---------------------------------

  /**
   * A booth line for `id` alone, sealed with our pair key; null before the pair is ready.
   * @param {string} id @param {string} text @returns {Promise<string | null>}
   */
  async sealFor(id, text) {
    await this.inbox;
    const pair = this.keys.pairs.get(id);
    if (!pair?.key) return null;
    this.keys.boothSent += 1;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const body = new TextEncoder().encode(JSON.stringify({ n: this.keys.boothSent, text }));
    const aad = new TextEncoder().encode(`Frankly booth ${this.keys.selfId} ${id}`);
    const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, pair.key, body));
    const out = new Uint8Array(12 + data.length);
    out.set(iv);
    out.set(data, 12);
    return b64(out);
  }

  /**
   * A booth line from `id` to us, opened; null if it does not open for us, or is a replay.
   * @param {string} id @param {string} sealed @returns {Promise<string | null>}
   */
  async openFrom(id, sealed) {
    await this.inbox;
    const pair = this.keys.pairs.get(id);
    if (!pair?.key) return null;
    let body;
    try {
      const bytes = unb64(sealed);
      const aad = new TextEncoder().encode(`Frankly booth ${id} ${this.keys.selfId}`);
      const params = { name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: aad };
      body = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt(params, pair.key, bytes.slice(12))));
    } catch {
      return null;
    }
    if (!Number.isInteger(body?.n) || typeof body.text !== 'string') return null;
    if (body.n <= (this.keys.boothSeen.get(id) ?? 0)) {
      console.warn(`frankly: a booth line from ${id} came again: a replay`);
      return null;
    }
    this.keys.boothSeen.set(id, body.n);
    return body.text;
  }

  /**
   * Settles when a key of `id` reaches us, the pair fails, `id` leaves, we
   * start afresh, or KEY_WAIT_MS pass.
   * @param {string} id @returns {Promise<void>}
   */
  keyFrom(id) {
    return new Promise((resolve) => {
      let waiting = this.keys.keyWaits.get(id);
      if (!waiting) this.keys.keyWaits.set(id, (waiting = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, KEY_WAIT_MS);
      waiting.add(done);
    });
  }

  /** Chat waiting for `id`'s key is opened now (or never will be). @param {string} id */
  wake(id) {
    const waiting = this.keys.keyWaits.get(id);
    this.keys.keyWaits.delete(id);
    for (const done of waiting ?? []) done();
  }

  wakeAll() {
    for (const id of [...this.keys.keyWaits.keys()]) this.wake(id);
  }

  // --- media -----------------------------------------------------------------------

  /**
   * Encrypt everything `pc` sends and decrypt what it receives from whom it
   * should (media.js). Call after every change of its transceivers and every
   * remote description, before an offer or answer is made.
   * @param {RTCPeerConnection} pc
   * @param {string} [peerId] given once and kept: the participant at the other
   *   end of a peer-to-peer connection. Without one, each receiver takes the
   *   frames of the participant its m-line's stream names, as on the SFU.
   */
  protect(pc, peerId) {
    this.media.protect(pc, peerId);
  }

  close() {
    clearTimeout(this.keys.rotateTimer);
    this.wakeAll(); // chat still waiting for a key is settled now
    this.worker.terminate();
  }

  // --- internals -----------------------------------------------------------------

  /** Run `job` after everything before it, and after start(). @param {() => Promise<void>} job */
  queue(job) {
    this.inbox = this.inbox.then(job).catch((err) => console.error('frankly: e2ee', err));
  }

  /**
   * Send with generation `gen` of key `base` from now on.
   * @param {number} gen @param {Uint8Array<ArrayBuffer>} base
   */
  useKey(gen, base) {
    this.keys.gen = gen;
    this.keys.base = base;
    this.keys.ring.add(this.keys.selfId, gen, base); // our own chat comes back to us
    // Those we share a pair with derive a ratchet themselves and are sent a
    // rotation ahead of time; a newcomer is told when its pair is ready.
    this.worker.postMessage({ op: 'send-key', participantId: this.keys.selfId, gen, base });
  }

  /**
   * The pair with `id`, begun (our commitment sent) if new.
   * @param {string} id @returns {Pair}
   */
  pair(id) {
    let pair = this.keys.pairs.get(id);
    if (pair) return pair;
    /** @type {Pair} */
    const fresh = {
      state: this.passphrase ? 'passphrase' : 'pending',
      verdict: 'unverified',
      sentCommit: false,
      sentIdentity: false,
      theirCommit: null,
      theirPub: null,
      key: null,
    };
    this.keys.pairs.set(id, (pair = fresh));
    if (this.keys.identity) {
      this.send(id, { kind: 'commit', commit: this.keys.identity.commit });
      pair.sentCommit = true;
    }
    return pair;
  }

  /** @param {string} id @param {Pair} pair @param {string} commit */
  onCommit(id, pair, commit) {
    if (pair.theirCommit && pair.theirCommit !== commit) {
      this.fail(id, pair); // one identity per participant id, never two
      return;
    }
    pair.theirCommit = commit;
    // Reveal only once both are committed: neither side can then choose its
    // key after seeing the other's, so a swap cannot be made to match.
    if (pair.sentCommit && !pair.sentIdentity && this.keys.identity) {
      pair.sentIdentity = true;
      this.send(id, { kind: 'identity', key: b64(this.keys.identity.pub) });
    }
  }

  /** @param {string} id @param {Pair} pair @param {string} key */
  async onIdentity(id, pair, key) {
    if (pair.state !== 'pending' || !this.keys.identity) return;
    let pub;
    try {
      pub = unb64(key);
    } catch {
      pub = new Uint8Array(0);
    }
    if (!pair.theirCommit || b64(await commitment(pub)) !== pair.theirCommit) {
      this.fail(id, pair);
      return;
    }
    let theirs;
    try {
      theirs = await crypto.subtle.importKey('raw', pub, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    } catch {
      this.fail(id, pair);
      return;
    }
    const shared = new Uint8Array(
      await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, this.keys.identity.priv, 256),
    );
    const [low, high] = this.keys.selfId < id ? [this.keys.selfId, id] : [id, this.keys.selfId];
    const raw = await hkdf(shared, `Frankly pair ${low} ${high}`, 32);
    pair.key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    pair.theirPub = pub;
    pair.state = 'ready';
    this.emit('pair', { id, state: pair.state, verdict: pair.verdict });
    await this.sendKey(id, pair, { gen: this.keys.gen, base: this.keys.base });
    if (this.keys.next) await this.sendKey(id, pair, this.keys.next);
  }

  /**
   * @param {string} id @param {Pair} pair
   * @param {{gen: number, base: Uint8Array<ArrayBuffer>}} key
   */
  async sendKey(id, pair, key) {
    if (!pair.key) return;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const body = new TextEncoder().encode(JSON.stringify({ gen: key.gen, key: b64(key.base) }));
    const aad = new TextEncoder().encode(`${this.keys.selfId} ${id}`);
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, pair.key, body);
    this.send(id, { kind: 'key', iv: b64(iv), data: b64(new Uint8Array(data)) });
  }

  /** @param {string} id @param {Pair} pair @param {string} iv @param {string} data */
  async onKey(id, pair, iv, data) {
    if (!pair.key) return;
    const aad = new TextEncoder().encode(`${id} ${this.keys.selfId}`);
    let told;
    try {
      const params = { name: 'AES-GCM', iv: unb64(iv), additionalData: aad };
      told = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt(params, pair.key, unb64(data))));
    } catch {
      console.warn(`frankly: a key from ${id} did not open`);
      return;
    }
    if (!Number.isInteger(told?.gen) || told.gen < 0 || told.gen > 0xffffff || typeof told.key !== 'string') return;
    const base = unb64(told.key);
    if (base.length !== 32) return;
    this.keys.ring.add(id, told.gen, base);
    this.worker.postMessage({ op: 'key', participantId: id, gen: told.gen, base });
    this.wake(id);
  }

  /** @param {string} id @param {Pair} pair */
  fail(id, pair) {
    pair.state = 'failed';
    pair.key = null;
    this.keys.ring.forget(id);
    this.wake(id); // no keys will come
    console.warn(`frankly: ${id}'s key does not match its commitment; no keys go to it`);
    this.emit('pair', { id, state: pair.state, verdict: pair.verdict });
  }

  /** @param {any} m */
  fromWorker(m) {
    if (m?.op === 'stats') this.statsWaiting.shift()?.(m);
    else if (m?.op === 'decrypting') {
      this.keys.failing.set(m.participantId, !m.ok);
      this.emit('decrypting', { id: m.participantId, ok: m.ok });
    }
  }
}

/** The state of one identity, before its keys exist. */
function blankKeys() {
  return {
    selfId: '',
    /** Every sender's keys, ours too: our own chat comes back to us. */
    ring: new KeyRing(),
    /** @type {Map<string, Pair>} */
    pairs: new Map(),
    /** @type {Map<string, boolean>} senders whose frames we fail to open */
    failing: new Map(),
    /** @type {Set<string>} who left: what they still send is ignored, unless they come back */
    gone: new Set(),
    /** @type {Map<string, number>} each sealed chat message opened ("KID:CTR") -> the id it came as */
    chatSeen: new Map(),
    /** @type {Map<string, Set<() => void>>} chat waiting for a sender's first key */
    keyWaits: new Map(),
    /** Booth lines we sealed, numbered so that a replay is refused... */
    boothSent: 0,
    /** @type {Map<string, number>} ...and each sender's highest line opened. */
    boothSeen: new Map(),
    /** Our sending key now... */
    gen: 0,
    /** @type {Uint8Array<ArrayBuffer>} */
    base: new Uint8Array(32),
    /** ...and a rotated one the others are receiving before we send with it. */
    /** @type {{gen: number, base: Uint8Array<ArrayBuffer>} | null} */
    next: null,
    /** @type {{priv: CryptoKey, pub: Uint8Array<ArrayBuffer>, commit: string} | null} */
    identity: null,
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    rotateTimer: undefined,
  };
}

/** SHA-256("Frankly commit" | pub). @param {Uint8Array<ArrayBuffer>} pub */
async function commitment(pub) {
  const label = new TextEncoder().encode('Frankly commit');
  const input = new Uint8Array(label.length + pub.length);
  input.set(label, 0);
  input.set(pub, label.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** @param {Uint8Array<ArrayBuffer>} bytes */
export function b64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** @param {string} text @returns {Uint8Array<ArrayBuffer>} */
export function unb64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
