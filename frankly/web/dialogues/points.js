// @ts-check
/**
 * A meeting's agreed points (contract A1): what all sides agreed, as opposed
 * to each side's own readout. Any member drafts a point; it counts as agreed
 * only once every invited side's lead has confirmed it, so each point shows
 * which side confirmed it (who, when) and which sides are still waited for.
 */

import { t } from '../i18n.js';
import { post } from './api.js';
import { pointState, when } from './facts.js';
import { Notes, act, button, el, serverHtml, statusLine, timeEl, uid } from './parts.js';

/**
 * @typedef {import('./facts.js').MeetingOut} MeetingOut
 * @typedef {import('./facts.js').PointOut} PointOut
 * @typedef {import('./facts.js').Ctx} Ctx
 */

/** What the last change said, by meeting, shown again after the re-render it caused. */
const notes = new Notes();

/**
 * Fill `parent` with the meeting's points and the form to draft one.
 * @param {HTMLElement} parent @param {MeetingOut} meeting @param {Ctx} ctx
 */
export function renderPoints(parent, meeting, ctx) {
  const heading = uid('points');
  const points = meeting.points ?? [];
  const agreed = points.filter((p) => p.agreed).length;
  const section = el('section', { class: 'rd-points', 'aria-labelledby': heading, 'data-testid': 'points' },
    el('h2', { id: heading }, t('dlg.agreed_points')),
    el('p', { class: 'hint' }, t('pts.hint')));
  const status = notes.take(meeting.id);
  section.append(status.node);
  if (points.length) {
    section.append(el('p', { class: 'rd-meta' }, t('pts.agreed_of', { agreed, count: points.length })));
    const list = el('ol', { class: 'rd-point-list' });
    for (const p of points) list.append(pointItem(p, meeting, ctx, status));
    section.append(list);
  } else {
    section.append(el('p', { class: 'hint' }, t('pts.none')));
  }
  if (meeting.sides.includes(ctx.you.side)) section.append(draftForm(meeting, ctx));
  parent.replaceChildren(section);
}

/**
 * @param {PointOut} point @param {MeetingOut} meeting @param {Ctx} ctx
 * @param {ReturnType<typeof statusLine>} status
 */
function pointItem(point, meeting, ctx, status) {
  const s = pointState(point, ctx.dialogue, ctx.you);
  const item = el('li', { class: 'rd-point', 'data-point': point.id, 'data-agreed': String(s.agreed) },
    el('p', { class: 'rd-meta' },
      el('span', { class: 'rd-badge', 'data-state': s.agreed ? 'agreed' : 'draft' }, s.agreed ? t('pts.agreed') : t('pts.not_agreed')),
      ` ${t('pts.drafted_by', { name: s.drafted })} `, timeEl(point.at, when(point.at, ctx.zone))),
    serverHtml(point.html));
  const sides = el('ul', { class: 'rd-confirmations', 'aria-label': t('pts.confirmations') });
  for (const c of s.confirmed) {
    sides.append(el('li', { 'data-state': 'confirmed' }, `✓ ${t('pts.confirmed_by', { side: c.side, lead: c.lead })} `, timeEl(c.at, when(c.at, ctx.zone))));
  }
  for (const name of s.waiting) sides.append(el('li', { 'data-state': 'waiting' }, `… ${t('pts.waiting', { side: name })}`));
  item.append(sides);
  if (s.canConfirm) {
    const confirm = button(t('pts.confirm'), 'btn-primary');
    // The visible words first in the accessible name (WCAG 2.5.3), then which point.
    confirm.setAttribute('aria-label', t('pts.confirm_long', { text: point.text.slice(0, 80) }));
    confirm.addEventListener('click', async () => {
      const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/points/${point.id}/confirm`;
      const answer = await act(confirm, status, { doing: t('pts.confirming'), done: '' }, () => post(path));
      if (answer === undefined) return;
      notes.leave(meeting.id, answer.agreed ? t('pts.all_agreed') : t('pts.confirmed'));
      await ctx.refresh();
    });
    item.append(el('div', { class: 'rd-row' }, confirm));
  }
  return item;
}

/** Any member of an invited side drafts a point. @param {MeetingOut} meeting @param {Ctx} ctx */
function draftForm(meeting, ctx) {
  const textId = uid('point-text');
  // A point is one line (the rules' clean_line, at most 1000 characters).
  const text = /** @type {HTMLInputElement} */ (el('input', { id: textId, type: 'text', maxlength: '1000', placeholder: t('pts.placeholder') }));
  const add = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'btn btn-small' }, t('pts.propose')));
  const status = statusLine();
  const form = el('form', { class: 'rd-point-form', 'data-testid': 'point-form' },
    el('label', { for: textId }, t('pts.propose_label')), text,
    el('div', { class: 'rd-row' }, add, status.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      status.set('refused', t('pts.write_first'));
      text.focus();
      return;
    }
    const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/points`;
    const answer = await act(add, status, { doing: t('dlg.adding'), done: '' }, () => post(path, { text: text.value }));
    if (answer === undefined) return;
    notes.leave(meeting.id, ctx.you.lead ? t('pts.added_lead') : t('pts.added'));
    await ctx.refresh();
  });
  return form;
}
