// @ts-check
/**
 * Joining a side through its link (/dialogues/join#token=…) and adding this
 * browser as another device of a member (/dialogues/{d}/device#token=…).
 * The token is taken out of the address bar at once (no history entry, no
 * Referer keeps it); the tab holds it in sessionStorage for a reload. Once
 * the server has answered, this browser keeps the member's cookie, and the
 * dialogue page needs no link again.
 */

import { post } from './api.js';
import { knownDialogues, remember } from './known.js';
import { act, field, fieldError, h, screen, statusLine } from './page.js';
import { dialoguePath, peekLink, withoutToken } from './routes.js';
import { timeLine, untilText, viewerZone } from './times.js';

/** @param {string} kind @returns {string | null} */
function takeToken(kind) {
  const { token, href } = withoutToken(location.href);
  if (href !== location.href) history.replaceState(null, '', href);
  const key = `frankly.${kind}${location.pathname}`;
  try {
    if (token) sessionStorage.setItem(key, token);
    return token ?? sessionStorage.getItem(key);
  } catch {
    return token;
  }
}

/** @param {string} kind */
function dropToken(kind) {
  try {
    sessionStorage.removeItem(`frankly.${kind}${location.pathname}`);
  } catch {
    /* nothing kept */
  }
}

/** @param {HTMLElement} root @param {string} text */
function noToken(root, text) {
  root.append(h('p', { role: 'alert', 'data-testid': 'join-problem' }, text),
    h('a', { class: 'btn', href: '/dialogues' }, 'Your dialogues'));
}

export function showJoin() {
  const root = screen('Join a dialogue');
  root.classList.add('dlg-narrow');
  const token = takeToken('join');
  const link = token ? peekLink(token) : null;
  if (!token || !link) {
    noToken(root, 'This link has no invitation in it. Ask the person who sent it for a new one.');
    return;
  }
  const zone = viewerZone();
  root.append(h('p', { class: 'lede' }, link.lead
    ? 'You were invited to lead a side in a dialogue. Give the name the other sides will know you by.'
    : 'You were invited to join a side in a dialogue. Give the name the others will know you by.'));
  root.append(h('p', { class: 'hint' },
    `The link works until ${timeLine(link.expires, zone, [])} (${untilText(link.expires, Date.now())}).`));
  if (knownDialogues().some((k) => k.id === link.dialogue)) {
    root.append(h('p', { class: 'notice notice-warn' }, 'This browser is in this dialogue already. ',
      h('a', { href: dialoguePath(link.dialogue) }, 'Open it'),
      ' — or join again here to take this link’s place instead.'));
  }
  const name = /** @type {HTMLInputElement} */ (h('input', { id: 'join-name', type: 'text', maxlength: '100', autocomplete: 'name', required: true }));
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'join-dialogue' }, 'Join'));
  const status = statusLine('join-status');
  const form = h('form', { class: 'dlg-form dlg-card', novalidate: true }, field('Your name', name), h('div', { class: 'actions' }, submit), status);
  root.append(form);
  name.focus();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) {
      fieldError(name, 'Enter your name.');
      name.focus();
      return;
    }
    fieldError(name);
    const joined = await act(submit, status, () => post('/join', { token, name: name.value.trim() }), { busy: 'Joining…', done: 'Joined.' });
    if (!joined) return;
    dropToken('join');
    remember(joined.id, joined.title);
    location.assign(dialoguePath(joined.id));
  });
}

/** @param {string} dialogue */
export function showDevice(dialogue) {
  const root = screen('Add this device');
  root.classList.add('dlg-narrow');
  const token = takeToken('device');
  if (!token) {
    noToken(root, 'This link has no device token in it. On a device you already use, press “Add a device” on the dialogue’s page for a new one.');
    return;
  }
  root.append(h('p', { class: 'lede' }, 'This browser will open the dialogue as you, beside the device you already use. The link works once.'));
  const device = /** @type {HTMLInputElement} */ (h('input', { id: 'device-name', type: 'text', maxlength: '100', autocomplete: 'off', placeholder: 'Phone, office laptop…' }));
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'add-this-device' }, 'Add this device'));
  const status = statusLine('device-status');
  const form = h('form', { class: 'dlg-form dlg-card', novalidate: true },
    field('Name this device (optional)', device, 'So that you can tell your devices apart, and remove one you lost.'),
    h('div', { class: 'actions' }, submit), status);
  root.append(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = device.value.trim() ? { token, device: device.value.trim() } : { token };
    const added = await act(submit, status, () => post('/devices', body), { busy: 'Adding…', done: 'Added.' });
    if (!added) return;
    dropToken('device');
    remember(added.id, added.title);
    location.assign(dialoguePath(added.id ?? dialogue));
  });
}
