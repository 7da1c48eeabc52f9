// SFrame (RFC 9605) as Frankly uses it: docs/security.md, *Wire format*.
//
// A leaf module: WebCrypto and bytes, nothing about peers or the page. It
// runs in the transform worker (media) and on the page (chat), and
// frankly/client/e2ee/sframe.py is its Python twin.

/** AES_128_GCM_SHA256_128. */
export const SUITE = 0x0004;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();

/**
 * A key ready to seal or open frames of one KID.
 * @typedef {{kid: bigint, key: CryptoKey, salt: Uint8Array<ArrayBuffer>}} FrameKey
 */

// --- header ------------------------------------------------------------------

/**
 * Big-endian bytes of `v`, as few as hold it (at least one).
 * @param {bigint} v @returns {Uint8Array<ArrayBuffer>}
 */
function minimalBytes(v) {
  const out = [];
  do {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return Uint8Array.from(out);
}

/**
 * The header for `kid` and `ctr`: config byte `X KKK Y CCC`, then KID, CTR.
 * @param {bigint} kid @param {bigint} ctr @returns {Uint8Array<ArrayBuffer>}
 */
export function encodeHeader(kid, ctr) {
  const parts = [];
  let config = 0;
  for (const [value, shift] of /** @type {const} */ ([[kid, 4], [ctr, 0]])) {
    if (value < 8n) {
      config |= Number(value) << shift;
    } else {
      const bytes = minimalBytes(value);
      config |= (0x8 | (bytes.length - 1)) << shift;
      parts.push(bytes);
    }
  }
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  out[0] = config;
  let at = 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * @param {Uint8Array<ArrayBuffer>} buf @param {number} at where the header starts
 * @returns {{kid: bigint, ctr: bigint, end: number} | null} null if cut short
 */
export function decodeHeader(buf, at) {
  if (at >= buf.length) return null;
  const config = buf[at];
  let pos = at + 1;
  /** @param {number} nibble @returns {bigint | null} */
  const field = (nibble) => {
    if (!(nibble & 0x8)) return BigInt(nibble);
    const len = (nibble & 0x7) + 1;
    if (pos + len > buf.length) return null;
    let v = 0n;
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(buf[pos + i]);
    pos += len;
    return v;
  };
  const kid = field(config >> 4);
  if (kid === null) return null;
  const ctr = field(config & 0xf);
  if (ctr === null) return null;
  return { kid, ctr, end: pos };
}

// --- key ids -------------------------------------------------------------------

/**
 * A sender's KID: its participant id (`p-` and 10 hex digits) above the
 * key's 24-bit generation.
 * @param {string} participantId @param {number} gen @returns {bigint}
 */
export function kidFor(participantId, gen) {
  if (!/^p-[0-9a-f]{10}$/.test(participantId)) throw new Error(`not a participant id: ${participantId}`);
  return (BigInt('0x' + participantId.slice(2)) << 24n) | BigInt(gen & 0xffffff);
}

/** @param {bigint} kid @returns {{participantId: string, gen: number}} */
export function senderOf(kid) {
  const id = (kid >> 24n).toString(16).padStart(10, '0');
  return { participantId: 'p-' + id, gen: Number(kid & 0xffffffn) };
}

// --- keys ----------------------------------------------------------------------

/**
 * HKDF-SHA256 with an empty salt (RFC 5869: the same as HashLen zeros).
 * @param {Uint8Array<ArrayBuffer>} ikm @param {Uint8Array | string} info @param {number} bytes
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
export async function hkdf(ikm, info, bytes) {
  const base = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const params = {
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: typeof info === 'string' ? utf8.encode(info) : info,
  };
  return new Uint8Array(await crypto.subtle.deriveBits(params, base, bytes * 8));
}

/** @param {string} text @param {bigint} kid @returns {Uint8Array<ArrayBuffer>} label | KID (8 bytes) | suite */
function label(text, kid) {
  const head = utf8.encode(text);
  const out = new Uint8Array(head.length + 10);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  view.setBigUint64(head.length, kid);
  view.setUint16(head.length + 8, SUITE);
  return out;
}

/**
 * The AEAD key and salt of one KID, from its generation's base key (RFC 9605
 * section 4.4.2).
 * @param {Uint8Array<ArrayBuffer>} base @param {bigint} kid @returns {Promise<FrameKey>}
 */
export async function frameKey(base, kid) {
  const raw = await hkdf(base, label('SFrame 1.0 Secret key ', kid), 16);
  const salt = await hkdf(base, label('SFrame 1.0 Secret salt ', kid), 12);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { kid, key, salt };
}

/** The next generation's base key after someone joined. @param {Uint8Array<ArrayBuffer>} base */
export function ratchet(base) {
  return hkdf(base, 'Frankly ratchet', 32);
}

/** The base key chat is sealed with, apart from media's. @param {Uint8Array<ArrayBuffer>} base */
export function chatBase(base) {
  return hkdf(base, 'Frankly chat', 32);
}

/**
 * The secret every participant of a passphrase room derives alike.
 * @param {string} passphrase @param {string} room @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
export async function roomSecret(passphrase, room) {
  const key = await crypto.subtle.importKey('raw', utf8.encode(passphrase), 'PBKDF2', false, ['deriveBits']);
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: utf8.encode('Frankly room ' + room), iterations: 200_000 };
  return new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
}

/** A participant's base key in a passphrase room. @param {Uint8Array<ArrayBuffer>} secret @param {string} participantId */
export function passphraseBase(secret, participantId) {
  return hkdf(secret, 'Frankly sender ' + participantId, 32);
}

// --- frames --------------------------------------------------------------------

/**
 * How many leading bytes stay in the clear: the Opus TOC byte; a VP8 frame's
 * tag (and a keyframe's start code and size), which the packetizer and the
 * SFU read.
 * @param {'audio' | 'video'} kind @param {Uint8Array<ArrayBuffer>} data @returns {number}
 */
export function clearLength(kind, data) {
  if (kind === 'audio') return 1;
  if (data.length === 0) return 0;
  return data[0] & 0x01 ? 3 : 10;
}

/** @param {Uint8Array<ArrayBuffer>} salt @param {bigint} ctr @returns {Uint8Array<ArrayBuffer>} */
function nonce(salt, ctr) {
  const out = Uint8Array.from(salt);
  const view = new DataView(out.buffer);
  view.setBigUint64(4, view.getBigUint64(4) ^ BigInt.asUintN(64, ctr));
  return out;
}

/**
 * Encrypt one frame: clear prefix | header | ciphertext and tag.
 * @param {FrameKey} fk @param {bigint} ctr never reused under this key
 * @param {Uint8Array<ArrayBuffer>} data @param {number} clear
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
export async function seal(fk, ctr, data, clear) {
  const header = encodeHeader(fk.kid, ctr);
  const aad = new Uint8Array(clear + header.length);
  aad.set(data.subarray(0, clear), 0);
  aad.set(header, clear);
  const params = { name: 'AES-GCM', iv: nonce(fk.salt, ctr), additionalData: aad, tagLength: TAG_BYTES * 8 };
  const sealed = new Uint8Array(await crypto.subtle.encrypt(params, fk.key, data.subarray(clear)));
  const out = new Uint8Array(aad.length + sealed.length);
  out.set(aad, 0);
  out.set(sealed, aad.length);
  return out;
}

/**
 * The KID an encrypted frame names, or null when it has no whole header.
 * @param {Uint8Array<ArrayBuffer>} data @param {number} clear
 */
export function peekKid(data, clear) {
  return decodeHeader(data, clear)?.kid ?? null;
}

/**
 * Decrypt one frame sealed by `seal`; null when it does not authenticate.
 * @param {FrameKey} fk @param {Uint8Array<ArrayBuffer>} data @param {number} clear
 * @returns {Promise<Uint8Array<ArrayBuffer> | null>}
 */
export async function open(fk, data, clear) {
  const header = decodeHeader(data, clear);
  if (!header || header.kid !== fk.kid || data.length < header.end + TAG_BYTES) return null;
  const aad = data.subarray(0, header.end);
  const params = { name: 'AES-GCM', iv: nonce(fk.salt, header.ctr), additionalData: aad, tagLength: TAG_BYTES * 8 };
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt(params, fk.key, data.subarray(header.end)));
    const out = new Uint8Array(clear + plain.length);
    out.set(data.subarray(0, clear), 0);
    out.set(plain, clear);
    return out;
  } catch {
    return null; // wrong key, or tampered with
  }
}
