// @ts-check
/**
 * The meeting's chat: the log (each message with its sender's shown name,
 * the time, and whether it was encrypted or could not be opened), the form
 * that sends one, the copy of what we could read kept on this device for
 * the meeting (chatlog.js), the count of messages not seen yet (on the Chat
 * button), a short chime for one that comes while the chat is out of view,
 * and web links in messages made into links (links.js says which).
 */

import * as chatlog from '../chatlog.js';
import { onLanguage, t } from '../i18n.js';
import { linkParts } from '../links.js';
import { Close } from '../wire.js';
import { announce, byId, clock, h } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../session.js').ChatMessage} ChatMessage
 * @typedef {import('../chatlog.js').Entry} Entry
 * @typedef {import('../mixer.js').Mixer} Mixer
 */

const chatLog = byId('chat-log');

/** What is kept of this meeting's chat, where, and whether it began with this welcome. */
const kept = {
  /** @type {chatlog.Log | null} */ log: null,
  key: '',
  fresh: false,
};
/** Messages that came while the chat was not in view. */
let unread = 0;

export function clearChat() {
  chatLog.replaceChildren();
}

/** @returns {Storage | null} the tab's own storage, if the browser lets us have it */
function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const now = () => Date.now() / 1000;

function save() {
  if (!kept.log) return;
  try {
    storage()?.setItem(kept.key, chatlog.serialize(kept.log, now()));
  } catch {
    // Full or refused: the chat on screen stays, only the copy is lost.
  }
}

/**
 * A welcome came: open what this device kept of the meeting it names, and
 * show it if the screen was cleared (a rejoin, a reload, a restart).
 * @param {string} room @param {string | undefined} meeting
 */
export function openChatLog(room, meeting) {
  const store = storage();
  if (!store || !meeting) {
    kept.log = null;
    return;
  }
  const key = chatlog.storageKey(room, meeting);
  const keys = Array.from({ length: store.length }, (_, i) => store.key(i) ?? '');
  for (const old of chatlog.staleKeys(keys, (k) => store.getItem(k), room, meeting, now())) store.removeItem(old);
  const found = kept.key === key && kept.log ? kept.log : chatlog.parseLog(store.getItem(key), now());
  kept.key = key;
  kept.fresh = found === null;
  kept.log = found ?? chatlog.emptyLog(now());
  if (!chatLog.children.length) for (const e of kept.log.entries) render(e, null);
  save();
}

/**
 * Our socket closed for good. If a host ended the meeting, nothing of its
 * chat stays on the device (after Leave it stays, for a rejoin).
 * @param {number} code the close code
 */
export function chatEnded(code) {
  if (code !== Close.ENDED) return;
  if (kept.key) storage()?.removeItem(kept.key);
  kept.log = null;
  kept.key = '';
}

/**
 * Show one message in order of sending.
 * @param {Entry} e
 * @param {string | null} sealed what to say instead of the text: it could not be opened
 */
function render(e, sealed) {
  const li = h('li', {
    class: e.mine ? 'msg mine' : 'msg',
    'data-chat-key': e.key,
    'data-chat-id': e.key.slice(e.key.lastIndexOf(':') + 1),
    'data-from': e.from,
    'data-privacy': sealed === null ? e.privacy : 'unreadable',
    'data-ts': String(e.ts),
  });
  const meta = h('div', { class: 'msg-meta' });
  // data-i18n and data-ts: a change of language redraws the words (translatePage) and the time (initChat).
  const name = e.mine ? h('span', { class: 'msg-name', 'data-i18n': 'chat.you' }, t('chat.you')) : h('span', { class: 'msg-name' }, e.name);
  meta.append(name, h('time', { datetime: new Date(e.ts * 1000).toISOString(), 'data-ts': String(e.ts) }, clock(e.ts)));
  if (e.privacy === 'plain' && sealed === null) meta.append(h('span', { class: 'msg-plain', 'data-i18n': 'chat.plain' }, t('chat.plain')));
  const text = sealed === null ? messageText(e.text) : h('p', { class: 'msg-text msg-sealed', 'data-i18n': sealed }, t(sealed));
  li.append(meta, text);
  const atBottom = chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;
  const later = [...chatLog.children].find((c) => Number(/** @type {HTMLElement} */ (c).dataset.ts) > e.ts);
  chatLog.insertBefore(li, later ?? null);
  if (atBottom || e.mine) chatLog.scrollTop = chatLog.scrollHeight;
}

/**
 * A message's text, its web links clickable: text nodes and <a> elements
 * built one by one, so nothing in a message is ever parsed as HTML.
 * @param {string} text
 * @returns {HTMLElement}
 */
function messageText(text) {
  const p = h('p', { class: 'msg-text' });
  for (const part of linkParts(text)) {
    if (!part.href) {
      p.append(document.createTextNode(part.text));
      continue;
    }
    // Its own tab, and the page it opens gets neither this window nor the meeting's address.
    p.append(h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer', class: 'msg-link' }, part.text));
  }
  return p;
}

/** @type {AudioContext | null} */
let chimeContext = null;
/** The meeting's mixer, whose sound goes to the speaker chosen in the settings. */
/** @type {() => Mixer | null} */
let mixerNow = () => null;

/**
 * Two short soft notes, made on the spot (no sound file): a message came
 * while the chat was out of view. They play where the meeting's voices do
 * (the mixer's context follows the chosen speaker); a context of their own
 * only when there is no meeting's.
 */
function chime() {
  try {
    const mixer = mixerNow();
    const ctx = mixer && mixer.context.state !== 'closed' ? mixer.context : (chimeContext ??= new AudioContext());
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    const start = ctx.currentTime + 0.01;
    for (const [i, freq] of [660, 880].entries()) {
      const at = start + i * 0.11;
      const note = ctx.createOscillator();
      const gain = ctx.createGain();
      note.frequency.value = freq;
      // A quick rise and a fall, so the note neither clicks nor rings on.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.08, at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.1);
      note.connect(gain).connect(ctx.destination);
      note.start(at);
      note.stop(at + 0.11);
    }
  } catch {
    // No Web Audio here: the count on the Chat button still says it.
  }
}

/** The key of what an unreadable message says instead of its text. */
const SEALED = {
  before: 'chat.sealed_before',
  away: 'chat.sealed_away',
};

/**
 * @param {Session} session
 * @param {ChatMessage} m
 * @param {boolean} history
 * @param {string} shown the sender's shown name
 */
export function addChat(session, m, history, shown) {
  const key = chatlog.messageKey(m);
  if (chatLog.querySelector(`li[data-chat-key="${CSS.escape(key)}"]`)) return; // kept, shown already
  const mine = m.from === session.you?.id;
  /** @type {Entry} */
  const entry = { key, from: m.from, name: shown, text: m.text, ts: m.ts, mine, privacy: m.privacy === 'plain' ? 'plain' : 'encrypted' };
  let sealed = null;
  if (m.privacy === 'unreadable') {
    // The first welcome's history was all sent before we came; later ones we just missed.
    if (kept.log && history && kept.fresh) kept.log = chatlog.markBefore(kept.log, key);
    sealed = SEALED[chatlog.sealedNote(kept.log, key)];
  } else if (kept.log) {
    kept.log = chatlog.remember(kept.log, entry);
  }
  if (kept.log) save();
  render(entry, sealed);
  if (history || mine || sealed !== null) return;
  announce(t('chat.says', { name: shown, text: m.text }));
  if (inView) return;
  setUnread(unread + 1);
  chime();
}

/** Whether the chat log is on screen (the side panel may hide it). */
let inView = true;

/** @param {number} n */
function setUnread(n) {
  unread = n;
  for (const button of document.querySelectorAll('[data-chat-unread]')) {
    button.setAttribute('aria-label', chatlog.chatLabel(n));
    /** @type {HTMLElement} */ (button).dataset.chatUnread = String(n);
    const badge = /** @type {HTMLElement | null} */ (button.querySelector('.chat-unread'));
    if (badge) {
      badge.textContent = n > 99 ? '99+' : String(n);
      badge.hidden = n <= 0;
    }
  }
}

/**
 * Show the names of the senders who are here as they are shown now (a
 * namesake may have come since their message); those who left keep theirs.
 * @param {Map<string, string>} names id -> shown name of everyone here
 * @param {string | undefined} selfId
 */
export function renameChat(names, selfId) {
  for (const li of chatLog.querySelectorAll('li[data-from]')) {
    const from = /** @type {HTMLElement} */ (li).dataset.from ?? '';
    const shown = names.get(from);
    const name = li.querySelector('.msg-name');
    if (shown && from !== selfId && name && name.textContent !== shown) name.textContent = shown;
  }
}

/**
 * Wire the form (once, at start).
 * @param {() => Session | null} current the session of the meeting on screen
 * @param {() => Mixer | null} mixer what the meeting on screen plays through
 */
export function initChat(current, mixer) {
  mixerNow = mixer;
  // Seen is what is on screen: however the panel hides the chat, the count follows.
  new IntersectionObserver(([e]) => {
    inView = e.isIntersecting;
    if (inView) setUnread(0);
  }).observe(chatLog);
  onLanguage(() => {
    setUnread(unread);
    for (const time of chatLog.querySelectorAll('time[data-ts]')) time.textContent = clock(Number(/** @type {HTMLElement} */ (time).dataset.ts));
  });
  byId('chat-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('chat-input'));
    const error = byId('chat-error');
    const session = current();
    if (!session || !input.value.trim()) return;
    if (await session.chat(input.value)) {
      input.value = '';
      error.hidden = true;
    } else {
      error.textContent = t('chat.not_sent');
      error.hidden = false;
    }
  });
}
