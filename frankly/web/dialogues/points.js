// @ts-check
/**
 * The agreed points of a meeting. A placeholder that keeps the meeting page whole:
 * helper W2's points.js (drafting a point, each side's lead confirming it) takes its place.
 */

import { h } from './page.js';

/**
 * @param {HTMLElement} parent
 * @param {import('./history.js').MeetingOut} meeting
 * @param {{dialogue: import('./history.js').DialogueOut, you: import('./history.js').YouOut, zone: string, refresh: () => Promise<void>}} ctx
 */
export function renderPoints(parent, meeting, ctx) {
  void meeting;
  void ctx;
  parent.append(h('section', { class: 'dlg-card', 'aria-labelledby': 'points-h' }, h('h2', { id: 'points-h' }, 'Agreed points')));
}
