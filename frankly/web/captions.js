// @ts-check
/**
 * Live captions (docs/protocol.md, "Live captions") as pure functions: the
 * room's captions state as the server tells it, a caption line as the
 * captioner sealed it (checked once opened), the few lines on screen (a
 * partial replaced in place by later partials and by its final), whose
 * words they are, and when the English translation shows. No DOM, no I/O:
 * the Node tests (tests/web/) import this file. The Python SDK's
 * counterpart is frankly/client's captions state and CaptionLine.
 */

import { language, t } from './i18n.js';
import { CAPTIONS_STATES, DEFAULT_SPEECH_LANGUAGE, LANGUAGE_PATTERN } from './wire.js';

/** Lines on screen at most: captions are read along, not scrolled back. */
export const MAX_LINES = 3;
/** How long a final line stays once nothing newer comes (the room went quiet). */
export const LINE_LINGERS_MS = 12_000;

/**
 * @typedef {'off' | 'starting' | 'on' | 'restarting' | 'failed'} CaptionsStateWord
 * @typedef {{state: CaptionsStateWord, transcript: boolean, captioner: string | null, message: string | null,
 *            stored: boolean}} Captions
 *   the room's captions (`captions` and `welcome.captions`); `stored`: the
 *   transcript is kept on the server too, with the dialogue meeting the room holds
 * @typedef {{speaker: string, line: number, final: boolean, text: string, language: string,
 *            english: string | null, start: number, end: number, finals_only: boolean}} CaptionLine
 *   one line as the captioner sealed it (docs/protocol.md, `caption`)
 * @typedef {CaptionLine & {key: string, name: string, at: number}} ShownLine
 *   a line on screen: `key` is speaker and line, `name` the speaker's shown
 *   name when it came (kept if they leave), `at` when it last changed (ms)
 * @typedef {{lines: ShownLine[], gone: Map<string, number>}} Board
 *   the lines on screen, oldest first; `gone`: each speaker's highest line
 *   number that left the screen, so that a late copy of it never comes back
 */

/** @returns {Captions} a room without captions */
export function noCaptions() {
  return { state: 'off', transcript: false, captioner: null, message: null, stored: false };
}

/**
 * The server's captions state, checked and copied; anything malformed
 * counts as off.
 * @param {unknown} wire
 * @returns {Captions}
 */
export function captionsFromWire(wire) {
  if (!wire || typeof wire !== 'object') return noCaptions();
  const w = /** @type {Record<string, unknown>} */ (wire);
  if (typeof w.state !== 'string' || !CAPTIONS_STATES.includes(w.state)) return noCaptions();
  return {
    state: /** @type {CaptionsStateWord} */ (w.state),
    transcript: w.transcript === true,
    captioner: typeof w.captioner === 'string' ? w.captioner : null,
    message: typeof w.message === 'string' && w.message ? w.message : null,
    stored: w.stored === true,
  };
}

/**
 * Whether the server hears the meeting now: from the moment a host turns
 * captions on until they are off (or gave up), the notice stays up.
 * @param {Captions} c
 */
export function serverHears(c) {
  return c.state === 'starting' || c.state === 'on' || c.state === 'restarting';
}

/**
 * An opened caption's text as a CaptionLine, or null if it is not one (a
 * captioner of another version, or a forgery that still opened).
 * @param {string} text the opened UTF-8 JSON
 * @returns {CaptionLine | null}
 */
export function parseLine(text) {
  let w;
  try {
    w = JSON.parse(text);
  } catch {
    return null;
  }
  if (!w || typeof w !== 'object') return null;
  if (typeof w.speaker !== 'string' || !Number.isInteger(w.line) || typeof w.text !== 'string') return null;
  const time = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    speaker: w.speaker,
    line: w.line,
    final: w.final === true,
    text: w.text,
    language: typeof w.language === 'string' && new RegExp(LANGUAGE_PATTERN).test(w.language) ? w.language : DEFAULT_SPEECH_LANGUAGE,
    english: typeof w.english === 'string' && w.english.trim() ? w.english : null,
    start: time(w.start),
    end: time(w.end),
    finals_only: w.finals_only === true,
  };
}

/** @returns {Board} nothing on screen */
export function emptyBoard() {
  return { lines: [], gone: new Map() };
}

/**
 * The board with `line` on it: a line already shown (same speaker and
 * line number) is replaced where it stands, a new one goes last. A partial
 * never replaces its final, and a line that already left the screen does
 * not come back. Past MAX_LINES the oldest leave. The board given is not
 * changed.
 * @param {Board} board @param {CaptionLine} line @param {string} name the speaker's shown name now
 * @param {number} now ms
 * @returns {Board}
 */
export function placeLine(board, line, name, now) {
  const key = `${line.speaker}:${line.line}`;
  if (line.line <= (board.gone.get(line.speaker) ?? -Infinity)) return board;
  const at = board.lines.findIndex((l) => l.key === key);
  if (at >= 0 && board.lines[at].final && !line.final) return board; // a partial late or replayed
  const shown = { ...line, key, name, at: now };
  const lines = [...board.lines];
  if (at >= 0) lines[at] = shown;
  else lines.push(shown);
  return leave({ lines, gone: board.gone }, lines.length - MAX_LINES);
}

/**
 * The board without its final lines older than LINE_LINGERS_MS (a partial
 * stays until its final comes or newer lines push it off).
 * @param {Board} board @param {number} now ms
 * @returns {Board}
 */
export function expire(board, now) {
  const stale = board.lines.filter((l) => l.final && now - l.at > LINE_LINGERS_MS);
  if (stale.length === 0) return board;
  const gone = new Map(board.gone);
  for (const l of stale) gone.set(l.speaker, Math.max(gone.get(l.speaker) ?? -Infinity, l.line));
  return { lines: board.lines.filter((l) => !stale.includes(l)), gone };
}

/**
 * The board without its `count` oldest lines.
 * @param {Board} board @param {number} count
 * @returns {Board}
 */
function leave(board, count) {
  if (count <= 0) return board;
  const gone = new Map(board.gone);
  for (const l of board.lines.slice(0, count)) gone.set(l.speaker, Math.max(gone.get(l.speaker) ?? -Infinity, l.line));
  return { lines: board.lines.slice(count), gone };
}

/**
 * Whose words a line is: the speaker's name as shown now, or as it was when
 * the line came if they have left; ours is "You".
 * @param {ShownLine} line @param {Map<string, string>} names id -> shown name of everyone here
 * @param {string | undefined} selfId
 * @returns {string}
 */
export function speakerOf(line, names, selfId) {
  if (line.speaker === selfId) return t('chat.you');
  return names.get(line.speaker) ?? line.name;
}

/**
 * Whether a language tag is English (any region).
 * @param {string} tag
 */
export function isEnglish(tag) {
  return tag.split('-')[0].toLowerCase() === 'en';
}

/**
 * The English translation to show under a line, or null: only when the
 * viewer asked for it, the speech is not English, and there is a
 * translation that says something other than the original.
 * @param {CaptionLine} line @param {boolean} wanted
 * @returns {string | null}
 */
export function translationOf(line, wanted) {
  if (!wanted || isEnglish(line.language) || line.english === null) return null;
  return line.english.trim() === line.text.trim() ? null : line.english;
}

/**
 * What a screen reader is told of a line: finals only (partials would
 * talk over each other), with the translation when it shows.
 * @param {ShownLine} line @param {string} speaker @param {boolean} wanted
 * @returns {string | null}
 */
export function spokenLine(line, speaker, wanted) {
  if (!line.final || !line.text.trim()) return null;
  const english = translationOf(line, wanted);
  return english ? t('captions.said_english', { speaker, text: line.text, english }) : t('captions.said', { speaker, text: line.text });
}

/**
 * What a screen reader is told when a line changes on the board: a line
 * that just finished (see spokenLine); for one that had finished already,
 * only its translation if that is what came (the captioner sends a final
 * again with its English); otherwise nothing.
 * @param {ShownLine | undefined} before the line as it was on the board
 * @param {ShownLine} now @param {string} speaker @param {boolean} wanted
 * @returns {string | null}
 */
export function spokenChange(before, now, speaker, wanted) {
  if (!before?.final) return spokenLine(now, speaker, wanted);
  const english = translationOf(now, wanted);
  return english && english !== translationOf(before, wanted) ? t('captions.said_later', { speaker, english }) : null;
}

/**
 * What the captions state is called, for everyone and for the host who
 * controls it.
 * @param {Captions} c @param {string | null} unavailable the server's message when it said captions-unavailable
 * @returns {string}
 */
export function stateWords(c, unavailable) {
  if (unavailable && c.state === 'off') return t('captions.unavailable', { why: unavailable });
  if (c.state === 'starting') return t('captions.starting');
  if (c.state === 'on') return onWords(c);
  if (c.state === 'restarting') return t('captions.restarting');
  if (c.state === 'failed') return t('captions.failed', { why: c.message ?? t('captions.failed_why') });
  return t('captions.off');
}

/**
 * Captions that are on: where the transcript goes, if one is kept, and why
 * it no longer does (a full one).
 * @param {Captions} c
 * @returns {string}
 */
function onWords(c) {
  const words = !c.transcript ? t('captions.on') : c.stored ? t('captions.on_stored') : t('captions.on_kept');
  return c.message ? `${words} ${c.message}` : words;
}

/**
 * The notice that the server hears, saying where a kept transcript goes:
 * to everyone's browser, and in a dialogue's meeting to the meeting too.
 * @param {Captions} c
 * @returns {string}
 */
export function noticeWords(c) {
  // A dialogue meeting's kept transcript goes with the meeting too (docs/dialogues.md).
  if (!c.transcript) return t('captions.hears');
  if (c.stored) return t('captions.hears_stored');
  return t('captions.hears_kept');
}

/**
 * A language tag's name in the interface's language, for the speaking-language
 * choice ("ru" → "Russian", "ruso"), or the tag itself where the runtime knows no name.
 * @param {string} tag
 * @returns {string}
 */
export function languageName(tag) {
  try {
    const name = new Intl.DisplayNames([language()], { type: 'language', fallback: 'none' }).of(tag);
    return name && name !== tag ? name : tag;
  } catch {
    return tag;
  }
}
