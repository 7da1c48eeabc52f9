// @ts-check
/**
 * Joining a side through its link (/dialogues/join#token=…) and adding this
 * browser as another device of a member (/dialogues/{d}/device#token=…).
 * The token is taken out of the address bar at once (no history entry, no
 * Referer keeps it); the tab holds it in sessionStorage for a reload. Once
 * the server has answered, this browser keeps the member's cookie, and the
 * dialogue page needs no link again.
 */

import { t } from '../i18n.js';
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
    h('a', { class: 'btn', href: '/dialogues' }, t('home.dialogues_link')));
}

export function showJoin() {
  const root = screen(t('dlg.join_title'));
  root.classList.add('dlg-narrow');
  const token = takeToken('join');
  const link = token ? peekLink(token) : null;
  if (!token || !link) {
    noToken(root, t('dlg.join_no_token'));
    return;
  }
  const zone = viewerZone();
  root.append(h('p', { class: 'lede' }, link.lead
    ? t('dlg.join_lead')
    : t('dlg.join_member')));
  root.append(h('p', { class: 'hint' },
    t('dlg.join_until', { until: timeLine(link.expires, zone, []), left: untilText(link.expires, Date.now()) })));
  if (knownDialogues().some((k) => k.id === link.dialogue)) {
    root.append(h('p', { class: 'notice notice-warn' }, `${t('dlg.join_already')} `,
      h('a', { href: dialoguePath(link.dialogue) }, t('dlg.join_open')),
      ` ${t('dlg.join_again')}`));
  }
  const name = /** @type {HTMLInputElement} */ (h('input', { id: 'join-name', type: 'text', maxlength: '100', autocomplete: 'name', required: true }));
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'join-dialogue' }, t('home.join')));
  const status = statusLine('join-status');
  const form = h('form', { class: 'dlg-form dlg-card', novalidate: true }, field(t('prejoin.name'), name), h('div', { class: 'actions' }, submit), status);
  root.append(form);
  name.focus();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) {
      fieldError(name, t('dlg.enter_name'));
      name.focus();
      return;
    }
    fieldError(name);
    const joined = await act(submit, status, () => post('/join', { token, name: name.value.trim() }), { busy: t('dlg.joining'), done: t('dlg.joined') });
    if (!joined) return;
    dropToken('join');
    remember(joined.id, joined.title);
    location.assign(dialoguePath(joined.id));
  });
}

/** @param {string} dialogue */
export function showDevice(dialogue) {
  const root = screen(t('dlg.device_title'));
  root.classList.add('dlg-narrow');
  const token = takeToken('device');
  if (!token) {
    noToken(root, t('dlg.device_no_token'));
    return;
  }
  root.append(h('p', { class: 'lede' }, t('dlg.device_lede')));
  const device = /** @type {HTMLInputElement} */ (h('input', { id: 'device-name', type: 'text', maxlength: '100', autocomplete: 'off', placeholder: t('dlg.device_placeholder') }));
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'add-this-device' }, t('dlg.device_title')));
  const status = statusLine('device-status');
  const form = h('form', { class: 'dlg-form dlg-card', novalidate: true },
    field(t('dlg.device_name'), device, t('dlg.device_hint')),
    h('div', { class: 'actions' }, submit), status);
  root.append(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = device.value.trim() ? { token, device: device.value.trim() } : { token };
    const added = await act(submit, status, () => post('/devices', body), { busy: t('dlg.adding'), done: t('dlg.added') });
    if (!added) return;
    dropToken('device');
    remember(added.id, added.title);
    location.assign(dialoguePath(added.id ?? dialogue));
  });
}
