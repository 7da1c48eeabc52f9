// @ts-check
/**
 * The home screen (`/`: start a new meeting, or join one by name or link;
 * start a dialogue, or open one this browser belongs to) and the invalid-room screen (`/BAD`: the name in the address breaks the
 * rules).
 */

import { newRoomName, roomFromInput } from '../urls.js';
import { knownDialogues } from '../dialogues/known.js';
import { dialoguePath } from '../dialogues/routes.js';
import { byId, h, randomHex, show } from './dom.js';

export function showHome() {
  document.title = 'Frankly';
  showDialogues();
  show('home');
}

/** The dialogues this browser belongs to (ids and titles only: dialogues/known.js). */
function showDialogues() {
  const known = knownDialogues();
  byId('home-dialogue-list').replaceChildren(...known.map((k) => {
    const item = h('li');
    item.append(h('a', { href: dialoguePath(k.id) }, k.title));
    return item;
  }));
  byId('home-dialogues').hidden = !known.length;
}

/** @param {string} room */
export function showInvalid(room) {
  document.title = 'Invalid room name · Frankly';
  const shown = room.length > 80 ? `${room.slice(0, 80)}…` : room;
  byId('invalid-text').textContent = `“${shown}” is not a valid meeting name.`;
  show('invalid');
}

function startNew() {
  const withSecret = /** @type {HTMLInputElement} */ (byId('new-passphrase')).checked;
  // 128 random bits, in the fragment: browsers never send it to a server.
  location.assign(`/${newRoomName()}${withSecret ? `#passphrase=${randomHex(16)}` : ''}`);
}

/** @param {SubmitEvent} ev */
function joinTyped(ev) {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('join-input'));
  const error = byId('join-error');
  const room = roomFromInput(input.value, location.origin);
  if (!room) {
    error.textContent = input.value.trim()
      ? 'That is not a valid meeting name or link. Names use letters, digits, “-” and “_”.'
      : 'Enter a meeting name or paste a link.';
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  location.assign(`/${room}`);
}

/** Wire the home screen's buttons (once, at start). */
export function initHome() {
  byId('btn-new').addEventListener('click', startNew);
  byId('join-form').addEventListener('submit', joinTyped);
}
