// @ts-check
/**
 * The dialogues this browser belongs to (known.js: ids and titles kept in
 * localStorage), and the way to found a new one. The room client's home page
 * shows the same list (ui/home.js).
 */

import { t } from '../i18n.js';
import { knownDialogues } from './known.js';
import { h, screen } from './page.js';
import { dialoguePath } from './routes.js';

/** The list as links, or null when there is none. @returns {HTMLElement | null} */
export function knownList() {
  const known = knownDialogues();
  if (!known.length) return null;
  return h('ul', { class: 'dlg-known', 'data-testid': 'known-dialogues' },
    known.map((k) => h('li', {}, h('a', { href: dialoguePath(k.id) }, k.title))));
}

export function showList() {
  const root = screen(t('home.dialogues_link'));
  root.classList.add('dlg-narrow');
  root.append(
    h('p', { class: 'lede' }, t('dlg.list_lede')),
    h('a', { class: 'btn btn-primary', href: '/dialogues/new', 'data-testid': 'start-dialogue' }, t('home.dialogue')),
    h('h2', {}, t('dlg.on_browser')),
    knownList() ?? h('p', { class: 'hint' }, t('dlg.none_yet')),
  );
}
