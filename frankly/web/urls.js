// @ts-check
/**
 * Room names and the page's address: what names a room, a fresh unguessable
 * name, the signaling URL, and the secrets a link carries (an invite in the
 * query, or in the fragment as a dialogue's page gives it; a passphrase in
 * the fragment). Pure functions, no DOM: the Node
 * tests (tests/web/) import this file. The Python SDK's counterpart is
 * frankly/client's urls.
 */

import { RESERVED_ROOMS, ROOM_PATTERN } from './wire.js';

export const ROOM_RE = new RegExp(ROOM_PATTERN);

/**
 * Query parameters that are secrets: read once, then taken out of the
 * address bar and history (see withoutSecrets) so they reach no log, no
 * Referer and no screenshot of the address bar.
 */
export const SECRET_PARAMS = ['invite'];

/** @param {string} name @returns {boolean} */
export function isValidRoom(name) {
  return ROOM_RE.test(name) && !RESERVED_ROOMS.includes(name.toLowerCase());
}

/**
 * The room named by what someone typed: a bare name or a pasted link.
 * @param {string} input
 * @param {string} [base] the origin to resolve relative links against
 * @returns {string | null} the room name, or null when there is none
 */
export function roomFromInput(input, base = 'http://localhost') {
  const text = input.trim();
  if (!text) return null;
  let name = text;
  if (text.includes('/')) {
    try {
      const path = new URL(text, base).pathname.replace(/\/+$/, '');
      name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    } catch {
      return null;
    }
  }
  return isValidRoom(name) ? name : null;
}

/**
 * An unguessable room name such as `k3rt-9wq2-mzha`: 12 characters from a
 * 32-letter alphabet without look-alikes, so 60 random bits.
 * @returns {string}
 */
export function newRoomName() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const chars = Array.from(bytes, (b) => alphabet[b & 31]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/**
 * The signaling URL of the server that served this page.
 * @param {{protocol: string, host: string}} loc
 * @returns {string}
 */
export function signalingUrl(loc) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * The secrets of a page address, and the same address without them (what
 * history.replaceState should put in their place): each in the query, or
 * in the fragment (`#invite=...`, as a dialogue's page links to its
 * meeting's room; the query's wins). The rest of the fragment stays:
 * browsers never send it to a server, and a passphrase link is meant to be
 * shared from the address bar.
 * @param {string} href an absolute URL
 * @returns {{secrets: Record<string, string>, href: string}}
 */
export function withoutSecrets(href) {
  const url = new URL(href);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  /** @type {Record<string, string>} */
  const secrets = {};
  let fragmentHadOne = false;
  for (const name of SECRET_PARAMS) {
    const value = url.searchParams.get(name) ?? fragment.get(name);
    if (value) secrets[name] = value;
    url.searchParams.delete(name);
    if (fragment.has(name)) {
      fragmentHadOne = true;
      fragment.delete(name);
    }
  }
  if (!fragmentHadOne) return { secrets, href: url.href };
  url.hash = fragment.toString();
  return { secrets, href: url.href.replace(/#$/, '') }; // no bare '#' left behind
}

/**
 * What an invite says of its holder: the dialogue it was made for, the name
 * and the side it gives. Read without checking the signature, which only the
 * server can: it serves to show the holder what the server will make of
 * them, and to link back to the dialogue's page, never to decide anything.
 * @param {string | null} token a room invite (a JWT)
 * @returns {{dialogue: string | null, name: string | null, side: string | null}}
 */
export function inviteClaims(token) {
  const none = { dialogue: null, name: null, side: null };
  const payload = token?.split('.')[1];
  if (!payload) return none;
  try {
    const bytes = Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)); // UTF-8: names in any script
    /** @param {unknown} v @param {RegExp} rule */
    const text = (v, rule) => (typeof v === 'string' && rule.test(v) ? v : null);
    return {
      dialogue: text(claims?.dialogue, /^[A-Za-z0-9_-]{1,64}$/),
      name: text(claims?.name, /^[^\u0000-\u001f\u007f]{1,64}$/u),
      side: text(claims?.side, /^[^\u0000-\u001f\u007f]{1,200}$/u),
    };
  } catch {
    return none;
  }
}

/**
 * The dialogue an invite was made for (its `dialogue` claim), or null.
 * @param {string | null} token a room invite (a JWT)
 * @returns {string | null}
 */
export function dialogueOfInvite(token) {
  return inviteClaims(token).dialogue;
}

/** The page of a dialogue. @param {string} id @returns {string} */
export function dialoguePage(id) {
  return `/dialogues/${encodeURIComponent(id)}`;
}

/**
 * The passphrase in a link's fragment (`#passphrase=...`), or null.
 * @param {string} hash location.hash, with or without its '#'
 * @returns {string | null}
 */
export function passphraseFrom(hash) {
  return new URLSearchParams(hash.replace(/^#/, '')).get('passphrase') || null;
}

/**
 * A link to a room: with a guest invite in the query, a passphrase in the
 * fragment (which browsers never send to a server), or neither.
 * @param {string} origin @param {string} room
 * @param {{invite?: string | null, passphrase?: string | null}} [extras]
 * @returns {string}
 */
export function roomLink(origin, room, extras = {}) {
  const query = extras.invite ? `?invite=${encodeURIComponent(extras.invite)}` : '';
  const fragment = extras.passphrase ? `#passphrase=${encodeURIComponent(extras.passphrase)}` : '';
  return `${origin}/${room}${query}${fragment}`;
}
