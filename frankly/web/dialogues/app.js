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
 */

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
    default: {
      const root = screen('Page not found');
      root.append(h('p', {}, 'There is no dialogue page at this address.'), h('a', { class: 'btn', href: '/dialogues' }, 'Your dialogues'));
    }
  }
}

void start();
