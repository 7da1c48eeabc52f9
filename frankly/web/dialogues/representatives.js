// @ts-check
/**
 * The representatives appointed for a follow-up. A placeholder that keeps the meeting page whole:
 * helper W2's representatives.js (appointing, creating the follow-up) takes its place.
 */

import { h } from './page.js';

/**
 * @param {HTMLElement} parent
 * @param {import('./history.js').MeetingOut} meeting
 * @param {{dialogue: import('./history.js').DialogueOut, you: import('./history.js').YouOut, zone: string, refresh: () => Promise<void>}} ctx
 */
export function renderRepresentatives(parent, meeting, ctx) {
  void meeting;
  void ctx;
  parent.append(h('section', { class: 'dlg-card', 'aria-labelledby': 'representatives-h' }, h('h2', { id: 'representatives-h' }, 'Representatives')));
}
