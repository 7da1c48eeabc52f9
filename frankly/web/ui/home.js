// @ts-check
/**
 * The home screen (`/`: start a new meeting, or join one by name or link;
 * start a dialogue, or open one this browser belongs to) and the invalid-room screen (`/BAD`: the name in the address breaks the
 * rules).
 */

import { onLanguage, t } from '../i18n.js';
import { newRoomName, roomFromInput } from '../urls.js';
import { knownDialogues } from '../dialogues/known.js';
import { dialoguePath } from '../dialogues/routes.js';
import { byId, h, randomHex, show, showing } from './dom.js';
import { mountLanguageSwitch } from './language.js';

export function showHome() {
  document.title = t('home.page_title');
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

/** The room name the invalid-room screen shows (kept for a change of language). */
let invalidRoom = '';

/** @param {string} room */
export function showInvalid(room) {
  invalidRoom = room;
  drawInvalid();
  show('invalid');
}

function drawInvalid() {
  document.title = t('invalid.page_title');
  const shown = invalidRoom.length > 80 ? `${invalidRoom.slice(0, 80)}…` : invalidRoom;
  byId('invalid-text').textContent = t('invalid.text', { room: shown });
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
    error.textContent = input.value.trim() ? t('home.join_invalid') : t('home.join_empty');
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
  mountLanguageSwitch(byId('home-language'));
  onLanguage(() => {
    byId('join-error').hidden = true; // said in the old language; the next Join says it anew
    if (showing('home')) document.title = t('home.page_title');
    if (showing('invalid')) drawInvalid();
  });
}
