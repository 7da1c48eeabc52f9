// @ts-check
/**
 * The chat a participant could read, kept on their own device for one
 * meeting, so that Leave and Rejoin, a reload and a restart of the server do
 * not take it away (the server keeps only sealed messages, and a rejoin
 * brings new keys that cannot open them).
 *
 * Kept in the tab's sessionStorage under the room and the meeting the welcome
 * names (`meeting`), never sent anywhere. It is plaintext on the device
 * (docs/security.md, *Chat kept on the device*): bounded in count, size and
 * age, and dropped when the meeting ends or another meeting of that room
 * begins. Pure functions on plain objects; ui/chat.js does the storing.
 */

import { t } from './i18n.js';

export const PREFIX = 'frankly-chat:';
/** At most this many messages are kept, the newest. */
export const MAX_ENTRIES = 300;
/** At most this many characters of JSON are stored; the oldest go first. */
export const MAX_CHARS = 200_000;
/** A log not written for this many seconds is dropped. */
export const MAX_AGE = 12 * 3600;
/** At most this many ids of messages sent before we first joined are kept. */
const MAX_BEFORE = 300;

/**
 * @typedef {{key: string, from: string, name: string, text: string, ts: number,
 *            mine: boolean, privacy: 'encrypted' | 'plain'}} Entry
 *   `key`: which message, as messageKey says; `mine`: we sent it (under any id we had)
 * @typedef {{v: 1, saved: number, entries: Entry[], before: string[]}} Log
 *   `before`: keys of the sealed messages the first welcome replayed, sent
 *   before we first joined; `saved`: Unix seconds of the last write
 */

/** @param {string} room @param {string} meeting */
export function storageKey(room, meeting) {
  return `${PREFIX}${room}:${meeting}`;
}

/**
 * Which message this is: ids count per server run, and the sender's id is
 * new at each join, so the pair names one message for good.
 * @param {{from: string, id: number}} m
 */
export function messageKey(m) {
  return `${m.from}:${m.id}`;
}

/** @param {number} now Unix seconds @returns {Log} */
export function emptyLog(now) {
  return { v: 1, saved: now, entries: [], before: [] };
}

/**
 * The log a string holds, or null if it holds none, a broken one, or one too old.
 * @param {string | null} raw @param {number} now
 * @returns {Log | null}
 */
export function parseLog(raw, now) {
  if (!raw) return null;
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || value.v !== 1 || typeof value.saved !== 'number') return null;
  if (now - value.saved > MAX_AGE) return null;
  const entries = Array.isArray(value.entries) ? value.entries.filter(isEntry) : [];
  const before = Array.isArray(value.before) ? value.before.filter((/** @type {unknown} */ k) => typeof k === 'string') : [];
  return { v: 1, saved: value.saved, entries, before };
}

/** @param {unknown} e @returns {e is Entry} */
function isEntry(e) {
  if (!e || typeof e !== 'object') return false;
  const o = /** @type {Record<string, unknown>} */ (e);
  return (
    typeof o.key === 'string' &&
    typeof o.from === 'string' &&
    typeof o.name === 'string' &&
    typeof o.text === 'string' &&
    typeof o.ts === 'number' &&
    typeof o.mine === 'boolean' &&
    (o.privacy === 'encrypted' || o.privacy === 'plain')
  );
}

/** @param {Log} log @param {string} key */
export function find(log, key) {
  return log.entries.find((e) => e.key === key) ?? null;
}

/**
 * The log with a message we could read, in order of sending, the newest MAX_ENTRIES.
 * @param {Log} log @param {Entry} entry @returns {Log}
 */
export function remember(log, entry) {
  if (find(log, entry.key)) return log;
  const entries = [...log.entries, entry].sort((a, b) => a.ts - b.ts).slice(-MAX_ENTRIES);
  return { ...log, entries };
}

/**
 * The log knowing that this sealed message was sent before we first joined.
 * @param {Log} log @param {string} key @returns {Log}
 */
export function markBefore(log, key) {
  if (log.before.includes(key)) return log;
  return { ...log, before: [...log.before, key].slice(-MAX_BEFORE) };
}

/**
 * What to say of a sealed message we cannot open and never could read here.
 * @param {Log | null} log @param {string} key
 * @returns {'before' | 'away'} sent before we first joined, or while we were not in
 */
export function sealedNote(log, key) {
  return !log || log.before.includes(key) ? 'before' : 'away';
}

/**
 * The log as stored: dated now, and the oldest messages dropped until it fits MAX_CHARS.
 * @param {Log} log @param {number} now @returns {string}
 */
export function serialize(log, now) {
  let kept = { ...log, saved: now };
  let out = JSON.stringify(kept);
  while (out.length > MAX_CHARS && kept.entries.length) {
    const drop = Math.max(1, Math.ceil(kept.entries.length / 10));
    kept = { ...kept, entries: kept.entries.slice(drop) };
    out = JSON.stringify(kept);
  }
  return out;
}

/**
 * The stored keys to drop when a meeting of this room opens: other meetings
 * of the same room (that one is over), and logs of any room gone stale.
 * @param {string[]} keys every key in the storage
 * @param {(key: string) => string | null} read
 * @param {string} room @param {string} meeting @param {number} now
 * @returns {string[]}
 */
export function staleKeys(keys, read, room, meeting, now) {
  const mine = storageKey(room, meeting);
  const sameRoom = `${PREFIX}${room}:`;
  return keys.filter((k) => {
    if (!k.startsWith(PREFIX) || k === mine) return false;
    // A room name has no ':' (urls.js), so the prefix names exactly this room.
    if (k.startsWith(sameRoom)) return true;
    return parseLog(read(k), now) === null;
  });
}

/**
 * The chat button's accessible name.
 * @param {number} unread messages that came while the chat was not in view
 */
export function chatLabel(unread) {
  if (unread <= 0) return t('chat.title');
  return t('chat.unread', { count: Math.min(unread, 100), shown: unread > 99 ? '99+' : String(unread) });
}
