// @ts-check
/**
 * Who is in the room, as pure functions over participant lists: what a
 * welcome changes in the roster we show, the order hands went up, the
 * names that tell two people of the same name apart, and the dialogue side
 * someone speaks for. No DOM, no I/O: the
 * Node tests (tests/web/) import this file. The Python SDK's counterpart
 * is frankly/client's roster.
 */

/** @typedef {import('./signaling.js').Participant} Participant */

/**
 * What a welcome changes in the roster we know: who left while we were
 * away, who is still here (their state may have changed), and who came.
 * @param {Iterable<string>} known the ids we show now
 * @param {Participant[]} present everyone the welcome lists
 * @returns {{gone: string[], kept: Participant[], added: Participant[]}}
 */
export function reconcile(known, present) {
  const knownIds = new Set(known);
  const presentIds = new Set(present.map((p) => p.id));
  return {
    gone: [...knownIds].filter((id) => !presentIds.has(id)),
    kept: present.filter((p) => knownIds.has(p.id)),
    added: present.filter((p) => !knownIds.has(p.id)),
  };
}

/**
 * Everyone with a hand up, in the order the hands went up (the server
 * numbers them).
 * @param {Iterable<{id: string, hand?: number | null}>} people
 * @returns {string[]} their ids
 */
export function handOrder(people) {
  return [...people]
    .filter((p) => typeof p.hand === 'number')
    .sort((a, b) => /** @type {number} */ (a.hand) - /** @type {number} */ (b.hand))
    .map((p) => p.id);
}

/** Characters of the participant id shown after a shared name, at first. */
const TAG_LENGTH = 4;

/**
 * The name to show for each person. A name nobody else has is shown as it
 * is. People who share a name (compared without case or surrounding
 * spaces) get a short tag from their participant id, `Ada #3f9c`: the
 * same for everyone in the room, whatever order each saw them come in,
 * and lengthened until the tags differ.
 * @param {Iterable<{id: string, name: string}>} people
 * @returns {Map<string, string>} id -> name to show
 */
export function displayNames(people) {
  /** @type {Map<string, {id: string, name: string}[]>} */
  const byName = new Map();
  for (const p of people) {
    const key = p.name.trim().toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), p]);
  }
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const group of byName.values()) {
    const tags = group.length > 1 ? distinctTags(group.map((p) => p.id)) : null;
    group.forEach((p, i) => out.set(p.id, tags ? `${p.name} #${tags[i]}` : p.name));
  }
  return out;
}

/**
 * Short tags from ids (without the server's `p-` prefix), each as long as
 * it must be for all of them to differ.
 * @param {string[]} ids distinct participant ids
 * @returns {string[]}
 */
function distinctTags(ids) {
  const bare = ids.map((id) => id.replace(/^p-/, ''));
  const longest = Math.max(...bare.map((b) => b.length));
  for (let n = TAG_LENGTH; n < longest; n++) {
    const tags = bare.map((b) => b.slice(0, n));
    if (new Set(tags).size === tags.length) return tags;
  }
  return bare;
}

/**
 * The dialogue side someone speaks for, as the server set it from their
 * invite (never what a client said), or null in a room of no dialogue.
 * @param {{side?: string | null}} p
 * @returns {string | null}
 */
export function sideOf(p) {
  return typeof p.side === 'string' && p.side.trim() ? p.side : null;
}

/**
 * What a tile or list entry is called for a screen reader: the shown name,
 * and the side when there is one (`Ann, United States`).
 * @param {string} shown @param {string | null} side
 * @returns {string}
 */
export function labelWithSide(shown, side) {
  return side ? `${shown}, ${side}` : shown;
}
