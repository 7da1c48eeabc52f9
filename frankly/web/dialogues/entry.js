// @ts-check
/**
 * "Join the meeting": a dialogue meeting's room is entered with a short-lived
 * room invite that the server makes for a member who may attend (POST
 * …/meetings/{m}/entry -> {url}); the page then goes to that url, the room
 * client's own page. Refused (`not-invited`), the server's message says who
 * may attend, and the page shows it where the button is.
 */

import { t } from '../i18n.js';
import { post } from './api.js';
import { ApiCode } from './codes.js';
import { NOT_OFFERED, act, button, h, statusLine } from './page.js';
import { meetingPath } from './routes.js';

/** @typedef {import('./history.js').DialogueOut} DialogueOut */
/** @typedef {import('./history.js').MeetingOut} MeetingOut */

/**
 * The button and the line that says what came of it. Offered to every
 * member, since the server decides who may enter: one who may not (a member
 * who was not appointed to a representatives' meeting, a side not invited)
 * presses it and reads the server's refusal, which names who may attend.
 * @param {DialogueOut} d @param {MeetingOut} m
 * @returns {HTMLElement}
 */
export function joinButton(d, m) {
  const go = button(t('dlg.join_meeting'), { class: 'btn btn-primary', 'data-testid': 'join-meeting', 'data-key': `join-${m.id}` });
  const status = statusLine('entry-status');
  go.addEventListener('click', async () => {
    const entry = await act(go, status, () => post(`${meetingPath(d.id, m.id)}/entry`), { busy: t('dlg.opening') });
    if (!entry && status.dataset.code === NOT_OFFERED) {
      status.say(t('dlg.cannot_open'), 'error');
    }
    if (entry && typeof entry.url === 'string') {
      status.say(t('dlg.opening'), 'busy');
      location.assign(entry.url);
    } else if (status.dataset.code === ApiCode.NOT_INVITED) {
      go.hidden = true;
    }
  });
  return h('div', { class: 'dlg-entry' }, go, status);
}
