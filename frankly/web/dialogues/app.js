// @ts-check
/**
 * The dialogue pages' entry point (dialogue.html): reads the address
 * (routes.js) and shows its screen. Every screen talks to the server through
 * api.js alone; the member's credential is a cookie the page never sees.
 *
 *   list      /dialogues                      list.js
 *   new       /dialogues/new                  create.js
 *   join      /dialogues/join#token=…         join.js
 *   device    /dialogues/{d}/device#token=…   join.js
 *   dialogue  /dialogues/{d}                  dialogue.js (members.js: sides, links, devices)
 *   meeting   /dialogues/{d}/meetings/{m}     meeting.js (then readouts.js, points.js,
 *                                             representatives.js)
 *   readout   /readouts/{r}                   public.js (helper W2's), loaded only there
 */

import { initLanguage } from '../ui/language.js';
import { t } from '../i18n.js';
import { showCreate } from './create.js';
import { showDialogue } from './dialogue.js';
import { showDevice, showJoin } from './join.js';
import { showList } from './list.js';
import { showMeeting } from './meeting.js';
import { h, screen } from './page.js';
import { route } from './routes.js';

function start() {
  const where = route(location.pathname);
  switch (where.screen) {
    case 'list':
      return showList();
    case 'new':
      return showCreate();
    case 'join':
      return showJoin();
    case 'device':
      return showDevice(where.dialogue);
    case 'dialogue':
      return showDialogue(where.dialogue);
    case 'meeting':
      return showMeeting(where.dialogue, where.meeting);
    case 'readout':
      return showPublicReadout(where.readout);
    default:
      return notFound();
  }
}

function notFound() {
  const root = screen(t('dlg.not_found'));
  root.append(h('p', {}, t('dlg.not_found_text')), h('a', { class: 'btn', href: '/dialogues' }, t('home.dialogues_link')));
}

/**
 * A public readout, for readers with no membership: helper W2's public.js,
 * loaded only on that page (its export: showPublic(readoutId)).
 * @param {string} readout
 */
async function showPublicReadout(readout) {
  const module = './public.js'; // named at run time: the file is W2's
  let found;
  try {
    found = await import(module);
  } catch {
    notFound(); // a server without public readouts yet
    return;
  }
  await found.showPublic(readout);
}

initLanguage(); // the browser's language, or the one chosen on the home page
void start();
// A link pasted into the address bar of an open join page changes only the fragment.
window.addEventListener('hashchange', () => {
  if (location.hash.includes('token=')) void start();
});
