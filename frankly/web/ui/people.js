// @ts-check
/**
 * The side panel's lists: the people here (dialogue side, role, hand,
 * media, encryption, and a host's Manage menu), those knocking in the lobby, and a host's room
 * settings.
 */

import { formatDate, t } from '../i18n.js';
import { handOrder, sideOf } from '../roster.js';
import { MODERATION } from '../session.js';
import { Role } from '../wire.js';
import { announce, byId, h, toast } from './dom.js';
import { personE2ee } from './encryption.js';
import { interpreterItem, personInterpreter } from './interpretation.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 */

const people = byId('people');

/** The key of what each host action is called on its button. */
const ACTION_LABELS = {
  mute: 'manage.mute',
  'ask-unmute': 'manage.ask_unmute',
  'stop-video': 'manage.stop_video',
  'stop-screen': 'manage.stop_screen',
  'lower-hand': 'manage.lower_hand',
  'make-host': 'manage.make_host',
  remove: 'manage.remove',
};

/**
 * Everyone here, ourselves first, with the name each is shown by.
 * @param {Session} session @param {Map<string, string>} names id -> shown name
 */
export function renderPeople(session, names) {
  const list = [];
  if (session.you) list.push({ ...session.you, audio: session.audio, video: session.video, self: true });
  for (const p of session.participants.values()) list.push({ ...p, self: false });
  const hands = handOrder(list);
  // Raised hands first, in the order they went up (who speaks next); the rest as they came.
  const rank = (/** @type {{id: string}} */ p) => (hands.includes(p.id) ? hands.indexOf(p.id) : hands.length);
  list.sort((a, b) => rank(a) - rank(b));
  people.replaceChildren(
    ...list.map((p) => {
      const shown = names.get(p.id) ?? p.name;
      const li = h('li', { 'data-participant-id': p.id });
      li.append(h('span', { class: 'person-name' }, p.self ? t('tile.you', { name: shown }) : shown));
      const side = sideOf(p);
      if (side) li.append(h('span', { class: 'person-side', 'data-testid': 'person-side' }, side));
      if (p.role === Role.HOST) li.append(h('span', { class: 'person-role', 'data-testid': 'person-role' }, t('people.host')));
      if (p.role === Role.CAPTIONER) li.append(...captionerBadge());
      li.append(...personInterpreter(session, p.id));
      if (typeof p.hand === 'number') {
        const order = hands.indexOf(p.id) + 1;
        const hand = h('span', { class: 'person-hand', 'data-testid': 'person-hand' }, `✋ ${order}`);
        hand.setAttribute('aria-label', t('people.hand', { order }));
        li.append(hand);
      }
      const states = [];
      const media = p.role !== Role.CAPTIONER; // it sends none: muted and camera off say nothing
      if (media && !p.audio) states.push(t('people.muted'));
      if (media && !p.video) states.push(t('people.camera_off'));
      if (p.screen) states.push(t('people.sharing'));
      if (!p.connected) states.push(t('people.reconnecting'));
      if (states.length) li.append(h('span', { class: 'person-state' }, states.join(t('people.list_separator'))));
      if (!p.self) li.append(...personE2ee(session, p, shown));
      // Captions are turned off, not the captioner managed.
      if (!p.self && session.you?.role === Role.HOST && p.role !== Role.CAPTIONER) li.append(manageMenu(session, p, shown));
      return li;
    }),
  );
  byId('people-count').textContent = t('people.count', { count: list.length });
}

/**
 * What the captioner is, beside its name: the server's own participant,
 * which hears everyone while captions are on.
 * @returns {HTMLElement[]}
 */
function captionerBadge() {
  const badge = h('span', { class: 'person-role person-captioner', 'data-testid': 'person-captioner' }, t('people.captioner'));
  badge.setAttribute('aria-label', t('people.captioner_long'));
  return [badge, h('span', { class: 'person-state' }, t('people.captioner_hears'))];
}

/**
 * A host's menu of actions on one person.
 * @param {Session} session @param {Participant} p @param {string} shown their shown name
 * @returns {HTMLElement}
 */
function manageMenu(session, p, shown) {
  const menu = h('details', { class: 'menu person-manage', 'data-testid': 'manage' });
  const summary = h('summary', { class: 'btn btn-small' }, t('manage.button'));
  summary.setAttribute('aria-label', t('manage.button_long', { name: shown }));
  const items = h('div', { class: 'menu-items', role: 'group', 'aria-label': t('manage.actions', { name: shown }) });
  for (const action of MODERATION) {
    if (action === 'lower-hand' && typeof p.hand !== 'number') continue;
    if (action === 'stop-screen' && !p.screen) continue;
    if (action === 'make-host' && p.role === Role.HOST) continue;
    const label = t(ACTION_LABELS[/** @type {keyof typeof ACTION_LABELS} */ (action)]);
    const item = h('button', { type: 'button', class: action === 'remove' ? 'btn btn-small btn-danger' : 'btn btn-small' }, label);
    item.addEventListener('click', () => {
      menu.removeAttribute('open');
      session.moderate(action, p.id);
      announce(`${label}: ${shown}.`);
    });
    items.append(item);
  }
  if (p.role !== Role.GUEST) items.append(interpreterItem(session, p, shown, () => menu.removeAttribute('open')));
  menu.append(summary, items);
  return menu;
}

/**
 * The host's side panels: people knocking, and the room's settings.
 * @param {Session} session
 */
export function renderHost(session) {
  const host = session.you?.role === Role.HOST;
  byId('host-panel').hidden = !host;
  /** @type {HTMLInputElement} */ (byId('set-lobby')).checked = session.settings.lobby;
  /** @type {HTMLInputElement} */ (byId('set-locked')).checked = session.settings.locked;
  byId('btn-clear-password').hidden = !session.settings.password;
  const knocks = [...session.knocks.values()];
  byId('knocks-panel').hidden = !host || knocks.length === 0;
  byId('knocks-count').textContent = t('people.count', { count: knocks.length });
  byId('knocks').replaceChildren(
    ...knocks.map((k) => {
      const li = h('li', { 'data-knock-id': k.id, 'data-testid': 'knock' });
      li.append(h('span', { class: 'person-name' }, k.name));
      if (k.returning) li.append(h('span', { class: 'person-state' }, t('knocks.returning')));
      const admit = h('button', { type: 'button', class: 'btn btn-small btn-primary' }, t('knocks.admit'));
      admit.setAttribute('aria-label', t('knocks.admit_long', { name: k.name }));
      admit.addEventListener('click', () => session.admit(k.id));
      const deny = h('button', { type: 'button', class: 'btn btn-small' }, t('knocks.deny'));
      deny.setAttribute('aria-label', t('knocks.deny_long', { name: k.name }));
      deny.addEventListener('click', () => session.deny(k.id));
      li.append(admit, deny);
      return li;
    }),
  );
}

/**
 * @typedef {{id: string, exp: number, revoked: boolean}} GuestInvite
 *   a guest invite this page made: its id, when it expires (Unix seconds),
 *   whether a host revoked it
 */

/**
 * The guest invites this page made, each with a Revoke button until a host
 * revoked it (the server's `revoked` says so; the button only asks).
 * @param {Session} session @param {Map<string, GuestInvite>} invites
 */
export function renderInvites(session, invites) {
  const list = byId('invite-list');
  list.hidden = invites.size === 0;
  list.replaceChildren(
    ...[...invites.values()].map((invite) => {
      const until = formatDate(invite.exp * 1000, { dateStyle: 'short', timeStyle: 'short' });
      const li = h('li', { 'data-invite-id': invite.id, 'data-testid': 'guest-invite-item' });
      li.append(h('span', { class: 'person-name' }, t('host.guest_invite_item')));
      li.append(h('span', { class: 'person-state' }, invite.revoked ? t('host.invite_revoked_state') : t('host.invite_until', { until })));
      if (!invite.revoked) {
        const revoke = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'revoke-invite' }, t('host.revoke'));
        revoke.setAttribute('aria-label', t('host.revoke_long', { until }));
        revoke.addEventListener('click', () => {
          if (!session.revoke(invite.id)) toast(t('host.revoke_failed'));
        });
        li.append(revoke);
      }
      return li;
    }),
  );
}
