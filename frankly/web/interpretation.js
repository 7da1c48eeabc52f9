// @ts-check
/**
 * Interpretation (docs/protocol.md, "Interpretation") as pure functions: the
 * room's booths and languages as the server tells them, what a listener's
 * choice means (whom it hears, how loud the floor stays underneath), and
 * what a booth member may do next. No DOM, no I/O: the Node tests
 * (tests/web/) import this file. The Python SDK's counterpart is
 * frankly/client's Interpretation and Booth (events.py).
 */

import { language, t } from './i18n.js';
import { FLOOR, LANGUAGE_PATTERN } from './wire.js';

export { FLOOR };

/** How loud the original stays under a language channel, unless the listener says otherwise. */
export const DEFAULT_FLOOR_VOLUME = 0.2;

/** The languages offered first when a host makes an interpreter (any other tag can be typed). */
export const COMMON_LANGUAGES = Object.freeze(['en', 'ru', 'fr', 'de', 'es', 'zh', 'ar', 'uk']);

/**
 * @typedef {{pair: [string, string], members: string[], live: string | null, into: string | null}} Booth
 * @typedef {{languages: string[], booths: Booth[], relay: Record<string, string>}} Interpretation
 */

/** @returns {Interpretation} a room with no interpreter */
export function noInterpretation() {
  return { languages: [], booths: [], relay: {} };
}

/**
 * The server's `interpretation` (or `welcome.interpretation`), checked and
 * copied; anything malformed counts as no interpretation.
 * @param {unknown} wire
 * @returns {Interpretation}
 */
export function fromWire(wire) {
  if (!wire || typeof wire !== 'object') return noInterpretation();
  const w = /** @type {Record<string, unknown>} */ (wire);
  const strings = (/** @type {unknown} */ v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
  /** @type {Booth[]} */
  const booths = [];
  for (const b of Array.isArray(w.booths) ? w.booths : []) {
    const pair = strings(b?.pair);
    if (pair.length !== 2) continue;
    booths.push({
      pair: [pair[0], pair[1]],
      members: strings(b.members),
      live: typeof b.live === 'string' ? b.live : null,
      into: typeof b.into === 'string' ? b.into : null,
    });
  }
  /** @type {Record<string, string>} */
  const relay = {};
  if (w.relay && typeof w.relay === 'object') {
    for (const [k, v] of Object.entries(w.relay)) if (typeof v === 'string') relay[k] = v;
  }
  return { languages: strings(w.languages), booths, relay };
}

/** The booth `id` is a member of, or null. @param {Interpretation} i @param {string} id */
export function boothOf(i, id) {
  return i.booths.find((b) => b.members.includes(id)) ?? null;
}

/** The booth whose voice the channel of `language` carries now, or null. @param {Interpretation} i @param {string} language */
export function speakingInto(i, language) {
  return i.booths.find((b) => b.into === language) ?? null;
}

/** The other member of `id`'s booth, or null. @param {Booth} booth @param {string} id */
export function partnerOf(booth, id) {
  return booth.members.find((m) => m !== id) ?? null;
}

/**
 * The language a booth interprets from: the other of its pair (its direction's source).
 * @param {Booth} booth @returns {string | null}
 */
export function fromLanguage(booth) {
  if (booth.into === null) return null;
  return booth.pair[0] === booth.into ? booth.pair[1] : booth.pair[0];
}

/** `en ⇄ ru`. @param {readonly string[]} pair */
export function pairLabel(pair) {
  return `${pair[0]} ⇄ ${pair[1]}`;
}

/** `Speaking: en → ru`, or why the booth speaks into nothing. @param {Booth} booth */
export function directionLabel(booth) {
  const from = fromLanguage(booth);
  if (booth.into === null || from === null) return t('interp.direction_none', { pair: pairLabel(booth.pair) });
  return t('interp.direction', { from, into: booth.into });
}

/**
 * The direction a booth switches to with its one button: the other language
 * of its pair, unless another booth speaks into it now (null then).
 * @param {Interpretation} i @param {Booth} booth @returns {string | null}
 */
export function switchTarget(i, booth) {
  const target = booth.into === booth.pair[1] ? booth.pair[0] : booth.pair[1];
  const other = speakingInto(i, target);
  return other && other !== booth ? null : target;
}

/**
 * How loud each kind of audio plays for a listener: the floor at full volume
 * when listening to the floor, or to a language nobody is live into (so
 * nobody is left with a whisper of the original and nothing over it); else
 * the floor at the listener's floor volume (0..1) under the channel.
 * @param {Interpretation} i @param {string} listening FLOOR or a language
 * @param {number} floorVolume 0..1
 * @returns {{floor: number, channel: number}}
 */
export function gains(i, listening, floorVolume) {
  if (listening === FLOOR || !speakingInto(i, listening)?.live) return { floor: 1, channel: 0 };
  return { floor: Math.min(1, Math.max(0, floorVolume)), channel: 1 };
}

/**
 * What a listener of `listening` hears now, as a sentence the language menu
 * shows: true states only ("no interpreter for ru yet").
 * @param {Interpretation} i @param {string} listening
 * @param {(id: string) => string} nameOf
 * @returns {string}
 */
export function hearing(i, listening, nameOf) {
  if (listening === FLOOR) return t('interp.hearing_floor');
  const booth = speakingInto(i, listening);
  if (!booth) return t('interp.hearing_none', { language: listening });
  if (!booth.live) return t('interp.hearing_nobody', { language: listening });
  return t('interp.hearing_live', { name: nameOf(booth.live), language: listening });
}

/**
 * What an interpreter's state is called on its tile and in the people list:
 * `Interpreter en ⇄ ru`, plus `live into ru` for the booth's live voice, and
 * the same in words for a screen reader (which would read ⇄ as an arrow):
 * `Interpreter between English and Russian, live into Russian`.
 * @param {Interpretation} i @param {string} id
 * @returns {{pair: string, live: string | null, spoken: string} | null}
 */
export function interpreterBadge(i, id) {
  const booth = boothOf(i, id);
  if (!booth) return null;
  const into = booth.live === id ? booth.into : null;
  const [a, b] = booth.pair.map(languageName);
  const spoken = into ? t('interp.badge_spoken_live', { a, b, into: languageName(into) }) : t('interp.badge_spoken', { a, b });
  return { pair: t('interp.badge', { pair: pairLabel(booth.pair) }), live: into ? t('interp.badge_live', { into }) : null, spoken };
}

/** @type {Map<string, Intl.DisplayNames | null>} names of languages in each interface language, where this runtime knows them */
const NAMES = new Map();

/** @returns {Intl.DisplayNames | null} names of languages in the interface's language */
function names() {
  const code = language();
  if (!NAMES.has(code)) {
    try {
      NAMES.set(code, new Intl.DisplayNames([code], { type: 'language' }));
    } catch {
      NAMES.set(code, null);
    }
  }
  return NAMES.get(code) ?? null;
}

/**
 * A language's name in the interface's language (`ru` → `Russian`,
 * `русский`), or its tag when the runtime knows no name for it.
 * @param {string} tag @returns {string}
 */
export function languageName(tag) {
  try {
    const name = names()?.of(tag);
    return name && name !== tag ? name : tag;
  } catch {
    return tag; // not a tag Intl takes
  }
}

/**
 * A language tag as typed, trimmed and with its primary tag in lower case,
 * or null if it is not one the server takes (LANGUAGE_PATTERN).
 * @param {string} typed
 * @returns {string | null}
 */
export function normalLanguage(typed) {
  const parts = typed.trim().split('-');
  parts[0] = parts[0].toLowerCase();
  const tag = parts.join('-');
  return new RegExp(LANGUAGE_PATTERN).test(tag) ? tag : null;
}

/**
 * The channels an interpreter can take relay from: the room's languages
 * except the one its booth speaks into now.
 * @param {Interpretation} i @param {Booth} booth
 * @returns {string[]}
 */
export function relayChoices(i, booth) {
  return i.languages.filter((l) => l !== booth.into);
}

/**
 * The msid track id of the m-line with `mid` in an SDP (the second word of
 * its `a=msid`), which is what the SFU knows a track by.
 * @param {string} sdp @param {string} mid
 * @returns {string | null}
 */
export function msidTrackOf(sdp, mid) {
  const sections = sdp.split(/\r?\nm=/).slice(1);
  for (const section of sections) {
    const lines = section.split(/\r?\n/);
    if (!lines.some((l) => l === `a=mid:${mid}`)) continue;
    const msid = lines.find((l) => l.startsWith('a=msid:'));
    const words = msid ? msid.slice('a=msid:'.length).trim().split(/\s+/) : [];
    return words[1] ?? null;
  }
  return null;
}
