// @ts-check
/**
 * The dialogues this browser belongs to (known.js: ids and titles kept in
 * localStorage), and the way to found a new one. The room client's home page
 * shows the same list (ui/home.js).
 */

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
  const root = screen('Your dialogues');
  root.classList.add('dlg-narrow');
  root.append(
    h('p', { class: 'lede' }, 'Talks between sides that go on over several meetings: dates to agree, each side’s readout, agreed points.'),
    h('a', { class: 'btn btn-primary', href: '/dialogues/new', 'data-testid': 'start-dialogue' }, 'Start a dialogue'),
    h('h2', {}, 'On this browser'),
    knownList() ?? h('p', { class: 'hint' }, 'This browser is in no dialogue yet. Open a side’s link to join one, or start one.'),
  );
}
