// @ts-check
/**
 * Representatives and follow-ups (contract A1). A follow-up is a meeting made
 * from this one, on its own topic with its own date to agree; on a follow-up,
 * each side's lead appoints members of their side as its representatives,
 * and only they (and the leads) are let into its room. Here: the appointed
 * representatives per side, the lead's appoint/unappoint, the follow-ups
 * already made from this meeting, and the form that makes one (for the
 * convener and the leads).
 */

import { t } from '../i18n.js';
import { del, post } from './api.js';
import { appointable, dateWords, followUpBody, mayFollowUp, memberName, representativesBySide } from './facts.js';
import { Notes, act, button, el, statusLine, uid } from './parts.js';

/**
 * @typedef {import('./facts.js').MeetingOut} MeetingOut
 * @typedef {import('./facts.js').Ctx} Ctx
 */

/** What the last change said, by meeting, shown again after the re-render it caused. */
const notes = new Notes();

/**
 * Fill `parent` with the meeting's representatives and follow-ups.
 * @param {HTMLElement} parent @param {MeetingOut} meeting @param {Ctx} ctx
 */
export function renderRepresentatives(parent, meeting, ctx) {
  const heading = uid('reps');
  const section = el('section', { class: 'rd-reps', 'aria-labelledby': heading, 'data-testid': 'representatives' },
    el('h2', { id: heading }, meeting.follows ? t('reps.title') : t('reps.follow_ups')));
  const status = notes.take(meeting.id);
  section.append(status.node);
  if (meeting.follows) section.append(...representatives(meeting, ctx, status));
  section.append(followUps(meeting, ctx));
  if (mayFollowUp(ctx.you)) section.append(followUpForm(meeting, ctx));
  parent.replaceChildren(section);
}

/**
 * @param {MeetingOut} meeting @param {Ctx} ctx @param {ReturnType<typeof statusLine>} status
 * @returns {HTMLElement[]}
 */
function representatives(meeting, ctx, status) {
  const groups = representativesBySide(meeting, ctx.dialogue);
  const anyone = groups.some((g) => g.people.length);
  // The rule (access.attendees): once anyone is appointed, the meeting is theirs and the leads'.
  const nodes = [el('p', { class: 'hint' }, anyone
    ? t('reps.only')
    : t('reps.none_yet'))];
  if (Array.isArray(meeting.attendees)) {
    const names = meeting.attendees.map((id) => memberName(ctx.dialogue, id));
    nodes.push(el('p', { class: 'rd-meta', 'data-testid': 'attendees' }, t('reps.may_attend', { names: names.join(', ') || t('reps.nobody') })));
  }
  const list = el('div', { class: 'rd-columns rd-rep-sides' });
  for (const g of groups) {
    const head = uid('rep-side');
    const box = el('article', { class: 'rd-rep-side', 'aria-labelledby': head, 'data-side': g.side }, el('h3', { id: head }, g.name));
    if (!g.people.length) box.append(el('p', { class: 'hint' }, t('reps.none_appointed')));
    const ul = el('ul', { class: 'rd-people' });
    for (const p of g.people) {
      const li = el('li', { 'data-member': p.member }, el('span', { class: 'rd-person' }, p.name), p.topic ? el('span', { class: 'hint' }, ` ${t('reps.on', { topic: p.topic })}`) : null);
      if (ctx.you.lead && g.side === ctx.you.side) li.append(unappointButton(meeting, ctx, status, p));
      ul.append(li);
    }
    if (g.people.length) box.append(ul);
    if (ctx.you.lead && g.side === ctx.you.side) box.append(appointForm(meeting, ctx));
    list.append(box);
  }
  nodes.push(list);
  return nodes;
}

/**
 * @param {MeetingOut} meeting @param {Ctx} ctx @param {ReturnType<typeof statusLine>} status
 * @param {{member: string, name: string}} person
 */
function unappointButton(meeting, ctx, status, person) {
  const go = button(t('reps.unappoint'), 'btn-quiet');
  go.setAttribute('aria-label', t('reps.unappoint_long', { name: person.name }));
  go.addEventListener('click', async () => {
    const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/representatives/${person.member}`;
    const answer = await act(go, status, { doing: t('reps.unappointing', { name: person.name }), done: '' }, () => del(path));
    if (answer === undefined) return;
    notes.leave(meeting.id, t('reps.unappointed', { name: person.name }));
    await ctx.refresh();
  });
  return go;
}

/** The lead appoints a member of their own side. @param {MeetingOut} meeting @param {Ctx} ctx */
function appointForm(meeting, ctx) {
  const candidates = appointable(meeting, ctx.dialogue, ctx.you);
  if (!candidates.length) return el('p', { class: 'hint' }, t('reps.all_appointed'));
  const whoId = uid('appoint-who');
  const topicId = uid('appoint-topic');
  const who = /** @type {HTMLSelectElement} */ (el('select', { id: whoId }));
  for (const m of candidates) who.append(el('option', { value: m.id }, m.id === ctx.you.id ? t('tile.you', { name: m.name }) : m.name));
  const topic = /** @type {HTMLInputElement} */ (el('input', { id: topicId, type: 'text', maxlength: '200', value: meeting.topic }));
  const go = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'btn btn-small btn-primary' }, t('reps.appoint')));
  const status = statusLine();
  const form = el('form', { class: 'rd-appoint', 'data-testid': 'appoint-form' },
    el('div', { class: 'field' }, el('label', { for: whoId }, t('reps.appoint_label')), who),
    el('div', { class: 'field' }, el('label', { for: topicId }, t('reps.on_topic')), topic),
    el('div', { class: 'rd-row' }, go, status.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = who.selectedOptions[0]?.textContent ?? '';
    const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/representatives`;
    const body = { member: who.value, ...(topic.value.trim() ? { topic: topic.value.trim() } : {}) };
    const answer = await act(go, status, { doing: t('reps.appointing'), done: '' }, () => post(path, body));
    if (answer === undefined) return;
    notes.leave(meeting.id, t('reps.appointed', { name }));
    await ctx.refresh();
  });
  return form;
}

/** The follow-ups already made from this meeting, with links. @param {MeetingOut} meeting @param {Ctx} ctx */
function followUps(meeting, ctx) {
  const made = ctx.dialogue.meetings.filter((m) => m.follows === meeting.id);
  if (!made.length) return el('p', { class: 'hint' }, t('reps.no_follow_up'));
  const list = el('ul', { class: 'rd-follow-ups', 'aria-label': t('reps.follow_ups_of'), 'data-testid': 'follow-ups' });
  for (const m of made) {
    list.append(el('li', {}, el('a', { href: `/dialogues/${ctx.dialogue.id}/meetings/${m.id}` }, m.topic), ' · ', dateWords(m.date, ctx.zone)));
  }
  return list;
}

/** Topic, agenda and date for a new follow-up. @param {MeetingOut} meeting @param {Ctx} ctx */
function followUpForm(meeting, ctx) {
  const ids = { topic: uid('fu-topic'), agenda: uid('fu-agenda'), kind: uid('fu-kind'), by: uid('fu-by') };
  const topic = /** @type {HTMLInputElement} */ (el('input', { id: ids.topic, type: 'text', maxlength: '200', required: true }));
  const agenda = /** @type {HTMLTextAreaElement} */ (el('textarea', { id: ids.agenda, rows: '3' }));
  const kind = /** @type {HTMLSelectElement} */ (el('select', { id: ids.kind },
    el('option', { value: 'tba' }, t('dlg.tba')),
    el('option', { value: 'asap' }, t('reps.asap')),
    el('option', { value: 'by' }, t('reps.by_day'))));
  const by = /** @type {HTMLInputElement} */ (el('input', { id: ids.by, type: 'date' }));
  const byField = el('div', { class: 'field', hidden: true }, el('label', { for: ids.by }, t('reps.by')), by);
  kind.addEventListener('change', () => (byField.hidden = kind.value !== 'by'));
  const go = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'btn btn-small btn-primary' }, t('reps.create')));
  const status = statusLine();
  const form = el('form', { class: 'rd-follow-up-form', 'data-testid': 'follow-up-form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: ids.topic }, t('dlg.topic')), topic),
    el('div', { class: 'field' }, el('label', { for: ids.agenda }, t('dlg.agenda')), agenda),
    el('div', { class: 'field' }, el('label', { for: ids.kind }, t('dlg.date')), kind), byField,
    el('div', { class: 'rd-row' }, go, status.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const made = followUpBody({ topic: topic.value, agenda: agenda.value, kind: kind.value, by: by.value });
    if ('problem' in made) {
      status.set('refused', made.problem);
      return;
    }
    const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/follow-ups`;
    const answer = await act(go, status, { doing: t('dlg.creating'), done: '' }, () => post(path, made.body));
    if (answer === undefined) return;
    notes.leave(meeting.id, t('reps.created', { topic: answer.topic }));
    await ctx.refresh();
  });
  const details = el('details', { class: 'rd-follow-up' }, el('summary', {}, t('reps.create_a')),
    el('p', { class: 'hint' }, t('reps.create_hint')), form);
  return details;
}
