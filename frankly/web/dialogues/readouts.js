// @ts-check
/**
 * The sides' readouts of a meeting. A placeholder that keeps the meeting page whole:
 * helper W2's readouts.js (drafting, publishing, history, side by side) takes its place.
 */

import { h } from './page.js';

/**
 * @param {HTMLElement} parent
 * @param {import('./history.js').MeetingOut} meeting
 * @param {{dialogue: import('./history.js').DialogueOut, you: import('./history.js').YouOut, zone: string, refresh: () => Promise<void>}} ctx
 */
export function renderReadouts(parent, meeting, ctx) {
  void meeting;
  void ctx;
  parent.append(h('section', { class: 'dlg-card', 'aria-labelledby': 'readouts-h' }, h('h2', { id: 'readouts-h' }, 'Readouts')));
}
