// @ts-check
/**
 * The meeting's chat: the log (each message with its sender's shown name,
 * the time, and whether it was encrypted or could not be opened) and the
 * form that sends one.
 */

import { announce, byId, clock, h } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../session.js').ChatMessage} ChatMessage
 */

const chatLog = byId('chat-log');

export function clearChat() {
  chatLog.replaceChildren();
}

/**
 * @param {Session} session
 * @param {ChatMessage} m
 * @param {boolean} history
 * @param {string} shown the sender's shown name
 */
export function addChat(session, m, history, shown) {
  const mine = m.from === session.you?.id;
  const li = h('li', {
    class: mine ? 'msg mine' : 'msg',
    'data-chat-id': String(m.id),
    'data-from': m.from,
    'data-privacy': m.privacy,
  });
  const meta = h('div', { class: 'msg-meta' });
  meta.append(h('span', { class: 'msg-name' }, mine ? 'You' : shown), h('time', { datetime: new Date(m.ts * 1000).toISOString() }, clock(m.ts)));
  if (m.privacy === 'plain') meta.append(h('span', { class: 'msg-plain' }, 'not encrypted'));
  const text =
    m.privacy === 'unreadable'
      ? h('p', { class: 'msg-text msg-sealed' }, 'Sent before you joined: encrypted for those who were here.')
      : h('p', { class: 'msg-text' }, m.text);
  li.append(meta, text);
  const atBottom = chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;
  chatLog.append(li);
  if (atBottom || mine) chatLog.scrollTop = chatLog.scrollHeight;
  if (!history && !mine && m.privacy !== 'unreadable') announce(`${shown} says: ${m.text}`);
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
 */
export function initChat(current) {
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
      error.textContent = 'Not connected: your message was not sent.';
      error.hidden = false;
    }
  });
}
