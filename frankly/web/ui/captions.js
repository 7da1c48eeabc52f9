// @ts-check
/**
 * Live captions on the screen: the notice that the server hears the
 * meeting while captions are on, the few caption lines under the tiles
 * (and, for screen readers, each finished line said politely), the side
 * panel's Captions section (the state, a host's on/off and transcript
 * controls, "Show English translation", the language we speak), and the
 * speaking-language picker that the pre-join screen shares.
 */

import {
  emptyBoard,
  expire,
  languageName,
  noticeWords,
  placeLine,
  serverHears,
  speakerOf,
  spokenChange,
  stateWords,
  translationOf,
} from '../captions.js';
import { onLanguage, t } from '../i18n.js';
import { COMMON_LANGUAGES, normalLanguage } from '../interpretation.js';
import { sideOf } from '../roster.js';
import { Role } from '../wire.js';
import { announce, byId, h, store, toast } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../captions.js').Captions} Captions
 * @typedef {import('../captions.js').CaptionLine} CaptionLine
 * @typedef {{session: Session, names: () => Map<string, string>}} CaptionsView
 *   the meeting on screen: its session, and the name each person is shown by
 */

/** The key of why a passphrase room has no captions (the SDK refuses them alike). */
const PASSPHRASE_ROOM = 'captions.passphrase_room';
/** How often lines that lingered are taken off the screen. */
const EXPIRE_EVERY_MS = 2000;
/** Finished lines kept in the screen reader's live region (older ones were said). */
const LIVE_KEPT = 3;

const ui = {
  /** @type {CaptionsView | null} */
  view: null,
  board: emptyBoard(),
  /** @type {string | null} the server's captions-unavailable message, once it said so */
  unavailable: null,
  /** @type {string} the state last announced, so a redraw says nothing */
  announced: 'off',
  /** @type {ReturnType<typeof setInterval> | undefined} */
  timer: undefined,
  english: store.get('captions-english') === 'yes',
};

// --- the speaking-language picker ---------------------------------------------------

/** The choice for a language not in the list: its code is typed. */
const OTHER = '';

/**
 * The language we speak as this browser last said it, or the browser's
 * own if it is a common one, or English.
 * @returns {string}
 */
export function rememberedLanguage() {
  const kept = normalLanguage(store.get('language'));
  if (kept) return kept;
  const browser = normalLanguage((typeof navigator !== 'undefined' && navigator.language) || '');
  const primary = browser?.split('-')[0] ?? '';
  return COMMON_LANGUAGES.includes(primary) ? primary : 'en';
}

/**
 * A select of common languages and "Other…", which shows a field for a
 * code; it starts on `tag`.
 * @param {HTMLSelectElement} select @param {HTMLInputElement} other @param {string} tag
 * @returns {{set: (tag: string) => void, value: () => string | null}}
 *   `value`: the tag chosen, or null if "Other" holds no valid code
 */
export function languagePicker(select, other, tag) {
  select.replaceChildren(
    ...COMMON_LANGUAGES.map((l) => h('option', { value: l }, t('captions.language_option', { name: languageName(l), code: l }))),
    h('option', { value: OTHER, 'data-i18n': 'captions.other' }, t('captions.other')),
  );
  // Languages are named in the interface's language: named again when it changes.
  onLanguage(() => {
    for (const option of select.options) {
      if (option.value !== OTHER) option.textContent = t('captions.language_option', { name: languageName(option.value), code: option.value });
    }
  });
  const set = (/** @type {string} */ t) => {
    const listed = COMMON_LANGUAGES.includes(t);
    select.value = listed ? t : OTHER;
    if (!listed) other.value = t;
    other.hidden = listed;
  };
  select.addEventListener('change', () => {
    other.hidden = select.value !== OTHER;
    if (!other.hidden) other.focus();
  });
  set(tag);
  return { set, value: () => (select.value === OTHER ? normalLanguage(other.value) : select.value) };
}

// --- the meeting ------------------------------------------------------------------------

/** @type {{set: (tag: string) => void, value: () => string | null} | null} */
let meetingPicker = null;

/** Show the captions of a meeting that starts. @param {CaptionsView} view */
export function startCaptions(view) {
  ui.view = view;
  ui.board = emptyBoard();
  ui.unavailable = null;
  ui.announced = 'off';
  clearInterval(ui.timer);
  ui.timer = setInterval(() => {
    const board = expire(ui.board, Date.now());
    if (board !== ui.board) {
      ui.board = board;
      renderLines();
    }
  }, EXPIRE_EVERY_MS);
  byId('captions-live').replaceChildren();
  meetingPicker?.set(view.session.client.language ?? rememberedLanguage());
  renderCaptions();
}

/** The meeting is over: nothing more is shown or said. */
export function stopCaptions() {
  clearInterval(ui.timer);
  ui.timer = undefined;
  ui.view = null;
  ui.board = emptyBoard();
  renderLines();
  byId('captions-notice').hidden = true;
}

/** The room's captions changed (or a welcome told them): state, notice, controls. */
export function renderCaptions() {
  const view = ui.view;
  if (!view) return;
  const c = view.session.captions;
  if (c.state !== 'off') ui.unavailable = null; // the server could start them after all
  const unavailable = unavailableWhy(view.session);
  const words = stateWords(c, unavailable);
  const state = byId('captions-state');
  state.textContent = words;
  state.dataset.state = unavailable && c.state === 'off' ? 'unavailable' : c.state;
  const hears = serverHears(c);
  byId('captions-notice').hidden = !hears;
  byId('captions-notice-text').textContent = noticeWords(c);
  renderHostControls(view.session, c);
  renderTranscript(view.session);
  if (!hears && c.state !== 'failed') {
    ui.board = emptyBoard(); // lines of captions that ended say nothing now
    byId('captions-finals-only').hidden = true;
  }
  renderLines();
  if (ui.announced !== c.state) {
    ui.announced = c.state;
    announce(c.state === 'on' ? `${words} ${t('captions.hears_said')}` : words);
  }
}

/**
 * A host's button says what it does next; nobody else has one.
 * @param {Session} session @param {Captions} c
 */
function renderHostControls(session, c) {
  const host = session.you?.role === Role.HOST;
  byId('captions-host').hidden = !host;
  const button = /** @type {HTMLButtonElement} */ (byId('btn-captions'));
  const running = serverHears(c);
  button.textContent = running ? t('captions.turn_off') : c.state === 'failed' ? t('captions.try_again') : t('captions.turn_on');
  button.dataset.action = running ? 'off' : 'on';
  button.disabled = !!unavailableWhy(session) && c.state === 'off';
  const transcript = /** @type {HTMLInputElement} */ (byId('captions-transcript'));
  transcript.checked = running ? c.transcript : transcript.checked;
  // The transcript is decided when captions start: the server keeps it from then on.
  transcript.disabled = running;
  // A dialogue's hosts (its leads) hold a side: the room is its meeting's, where
  // a kept transcript goes with the meeting too (the state says `stored` once on).
  byId('captions-transcript-label').textContent = session.you && sideOf(session.you)
    ? t('captions.keep_stored')
    : t('captions.keep');
}

/**
 * Why this room cannot have captions, or null: the server said so, or the
 * keys come from a passphrase (the captioner takes part in the key
 * exchange; it cannot know a passphrase, and must not).
 * @param {Session} session
 * @returns {string | null}
 */
function unavailableWhy(session) {
  return session.e2ee.passphrase ? t(PASSPHRASE_ROOM) : ui.unavailable;
}

/**
 * The server said the room cannot have captions (no captions extra, no
 * models, a passphrase room): the state says why, the button waits.
 * @param {string} message
 */
export function captionsUnavailable(message) {
  ui.unavailable = message || t('captions.server_cannot');
  renderCaptions();
  const session = ui.view?.session;
  if (session) announce(stateWords(session.captions, unavailableWhy(session)));
}

/** A line from the captioner: on screen, and said if finished. @param {CaptionLine} line */
export function addCaptionLine(line) {
  const view = ui.view;
  if (!view || !serverHears(view.session.captions)) return;
  const names = view.names();
  const before = ui.board;
  ui.board = placeLine(ui.board, line, names.get(line.speaker) ?? t('meeting.someone'), Date.now());
  renderTranscript(view.session);
  if (ui.board === before) return; // late, replayed, or already finished
  // Each line says whether recognition keeps up now: the note goes when it does again.
  byId('captions-finals-only').hidden = !line.finals_only;
  renderLines();
  const same = (/** @type {{speaker: string, line: number}} */ l) => l.speaker === line.speaker && l.line === line.line;
  const shown = ui.board.lines.find(same);
  const said = shown ? spokenChange(before.lines.find(same), shown, speakerOf(shown, names, view.session.you?.id), ui.english) : null;
  if (said) sayLine(said);
}

/** @param {string} text a finished line for the screen reader */
function sayLine(text) {
  const live = byId('captions-live');
  live.append(h('p', {}, text));
  while (live.childElementCount > LIVE_KEPT) live.firstElementChild?.remove();
}

/**
 * Offer this client's transcript for download once it holds a line.
 * @param {Session} session
 */
function renderTranscript(session) {
  byId('transcript-download').hidden = session.kept.size === 0;
}

/**
 * Save the transcript as a file.
 * @param {Session} session @param {'txt' | 'vtt'} kind
 */
function download(session, kind) {
  const type = kind === 'vtt' ? 'text/vtt' : 'text/plain';
  const url = URL.createObjectURL(new Blob([session.transcript(kind)], { type: `${type};charset=utf-8` }));
  const a = /** @type {HTMLAnchorElement} */ (h('a', { href: url, download: `${session.room}-transcript.${kind}` }));
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Someone came, left or was renamed: the lines name them as shown now. */
export function renameCaptions() {
  renderLines();
}

/** The caption lines as the board holds them. */
function renderLines() {
  const view = ui.view;
  const area = byId('captions');
  const list = byId('caption-lines');
  area.hidden = !view || ui.board.lines.length === 0;
  if (!view) {
    list.replaceChildren();
    return;
  }
  const names = view.names();
  const selfId = view.session.you?.id;
  list.replaceChildren(
    ...ui.board.lines.map((l) => {
      const li = h('li', {
        class: l.final ? 'caption-line' : 'caption-line caption-partial',
        'data-testid': 'caption-line',
        'data-speaker': l.speaker,
        'data-line': String(l.line),
        'data-final': String(l.final),
      });
      li.append(h('span', { class: 'caption-speaker', 'data-testid': 'caption-speaker' }, speakerOf(l, names, selfId)));
      li.append(h('span', { class: 'caption-text', 'data-testid': 'caption-text', lang: l.language }, l.text));
      const english = translationOf(l, ui.english);
      if (english) li.append(h('span', { class: 'caption-english', 'data-testid': 'caption-english', lang: 'en' }, english));
      return li;
    }),
  );
}

/** Wire the Captions section (once, at start). */
export function initCaptions() {
  const english = /** @type {HTMLInputElement} */ (byId('captions-english'));
  english.checked = ui.english;
  english.addEventListener('change', () => {
    ui.english = english.checked;
    store.set('captions-english', ui.english ? 'yes' : 'no');
    renderLines();
  });
  byId('btn-captions').addEventListener('click', () => {
    const session = ui.view?.session;
    if (!session) return;
    const on = byId('btn-captions').dataset.action !== 'off';
    const transcript = /** @type {HTMLInputElement} */ (byId('captions-transcript')).checked;
    session.setCaptions(on, transcript);
  });
  for (const kind of /** @type {const} */ (['txt', 'vtt'])) {
    byId(`btn-transcript-${kind}`).addEventListener('click', () => {
      if (ui.view) download(ui.view.session, kind);
    });
  }
  const select = /** @type {HTMLSelectElement} */ (byId('meeting-language'));
  const other = /** @type {HTMLInputElement} */ (byId('meeting-language-other'));
  const picker = languagePicker(select, other, rememberedLanguage());
  meetingPicker = picker;
  const changed = () => {
    const tag = picker.value();
    const session = ui.view?.session;
    other.toggleAttribute('aria-invalid', !tag && !!other.value.trim());
    if (!tag && other.value.trim()) toast(t('prejoin.language_error'));
    if (!tag || !session || tag === session.client.language) return;
    store.set('language', tag);
    session.setLanguage(tag);
    announce(t('captions.now_in', { language: languageName(tag) }));
  };
  select.addEventListener('change', () => {
    if (select.value !== OTHER) changed();
  });
  other.addEventListener('change', changed);
}
