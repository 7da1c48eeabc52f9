// @ts-check
/**
 * The dialogues this browser belongs to, for the home page's list: their ids
 * and titles only, in localStorage. The credential itself is an HttpOnly
 * cookie that no page script can read; this list is a convenience, and a
 * dialogue missing from it is still reachable by its address.
 */

const KEY = 'frankly.dialogues';
const MAX = 100;

/** @typedef {{id: string, title: string}} Known */

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage refused (private mode)
  }
}

/** @param {Storage | null} [where] @returns {Known[]} */
export function knownDialogues(where = storage()) {
  try {
    const list = JSON.parse(where?.getItem(KEY) ?? '[]');
    if (!Array.isArray(list)) return [];
    return list.filter((k) => k && typeof k.id === 'string' && typeof k.title === 'string');
  } catch {
    return [];
  }
}

/** @param {Known[]} list @param {Storage | null} where */
function save(list, where) {
  try {
    where?.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
  } catch {
    /* full or refused: nothing remembered */
  }
}

/** Remember (or move to the top, with its current title) a dialogue. @param {string} id @param {string} title @param {Storage | null} [where] */
export function remember(id, title, where = storage()) {
  save([{ id, title }, ...knownDialogues(where).filter((k) => k.id !== id)], where);
}

/** @param {string} id @param {Storage | null} [where] */
export function forget(id, where = storage()) {
  save(knownDialogues(where).filter((k) => k.id !== id), where);
}
