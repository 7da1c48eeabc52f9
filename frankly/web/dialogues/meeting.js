// @ts-check
/**
 * One meeting of a dialogue (/dialogues/{d}/meetings/{m}): its date (to be
 * agreed, as soon as possible, by a day, or scheduled), the times proposed,
 * each in the viewer's zone and beside it in every side's, with the answers
 * the viewer's side may give (accept or decline another side's, withdraw
 * its own), proposing a time, the calendar file and "Join the meeting".
 * Below: the sides' readouts, the agreed points and the representatives
 * (readouts.js, points.js, representatives.js, in that order).
 */

import { t } from '../i18n.js';
import { post } from './api.js';
import { keepFocus, loadDialogue } from './dialogue.js';
import { joinButton } from './entry.js';
import { isPast, memberName, sideName, sidesOf } from './history.js';
import { act, button, field, fieldError, h, screen, statusLine, toast } from './page.js';
import { renderPoints } from './points.js';
import { keepCaret, renderReadouts } from './readouts.js';
import { renderRepresentatives } from './representatives.js';
import { calendarPath, dialoguePath, meetingPath } from './routes.js';
import { city, dateText, lengthText, timeLine, utcToZoned, viewerZone, zonedToUtc } from './times.js';
import { transcriptLinks } from './transcript.js';

/** @typedef {import('./history.js').DialogueOut} DialogueOut */
/** @typedef {import('./history.js').MeetingOut} MeetingOut */
/** @typedef {import('./history.js').ProposalOut} ProposalOut */
/** @typedef {{dialogue: DialogueOut, you: DialogueOut['you'], zone: string, refresh: () => Promise<void>}} Ctx */

/** The key of each proposal state's word. */
const STATE_WORDS = /** @type {Record<string, string>} */ ({
  open: 'dlg.p_open', accepted: 'dlg.p_accepted', declined: 'dlg.p_declined', withdrawn: 'dlg.p_withdrawn',
});

/**
 * One proposal with the buttons the viewer's side may press.
 * @param {MeetingOut} m @param {ProposalOut} p @param {Ctx} ctx @param {ReturnType<typeof statusLine>} status
 */
function proposalItem(m, p, ctx, status) {
  const d = ctx.dialogue;
  const invited = m.sides.includes(ctx.you.side);
  const ours = p.side === ctx.you.side;
  const open = p.state === 'open';
  const base = `${meetingPath(d.id, m.id)}/proposals/${encodeURIComponent(p.id)}`;
  const shown = timeLine(p.at, ctx.zone, sidesOf(d, m));
  /** @param {string} verb @param {string} label @param {string} done @param {string} cls */
  const answer = (verb, label, done, cls) => {
    const b = button(label, { class: `btn btn-small ${cls}`, 'data-key': `${verb}-${p.id}`, 'aria-label': `${label}: ${shown}` });
    b.addEventListener('click', async () => {
      const ok = await act(b, status, () => post(`${base}/${verb}`), { busy: t('dlg.sending') });
      if (!ok) return;
      await ctx.refresh();
      toast(done); // once the page shows it
    });
    return b;
  };
  const actions = [];
  if (open && invited && !ours && Date.parse(p.at) > Date.now()) {
    actions.push(answer('accept', t('dlg.accept'), t('dlg.accepted_at', { time: shown }), 'btn-primary'));
    actions.push(answer('decline', t('dlg.decline'), t('dlg.declined'), 'btn-quiet'));
  }
  if (open && invited && ours) actions.push(answer('withdraw', t('dlg.withdraw'), t('dlg.withdrawn'), 'btn-quiet'));
  return h('li', { class: 'dlg-proposal', 'data-state': p.state, 'data-testid': 'proposal' },
    h('p', { class: 'dlg-proposal-time', 'data-testid': 'proposal-time' }, shown),
    h('p', { class: 'hint' },
      h('span', { class: 'dlg-badge', 'data-state': p.state }, STATE_WORDS[p.state] ? t(STATE_WORDS[p.state]) : p.state), ' ',
      t('dlg.proposed_by', { name: memberName(d, p.by), side: sideName(d, p.side) }),
      p.decided_by && !open ? `, ${t(`dlg.decided_${p.state}`, { name: memberName(d, p.decided_by) })}` : ''),
    actions.length ? h('div', { class: 'actions dlg-proposal-actions' }, actions) : null);
}

/**
 * Proposing a time: typed in the viewer's zone (datetime-local), shown in
 * every side's before it is sent, sent as UTC.
 * @param {MeetingOut} m @param {Ctx} ctx
 */
function proposeForm(m, ctx) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    id: 'propose-at', type: 'datetime-local', min: utcToZoned(Date.now(), ctx.zone), required: true, 'data-testid': 'propose-at',
  }));
  const preview = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'propose-preview' });
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'propose' }, t('dlg.propose_this')));
  const status = statusLine('propose-status');
  const form = h('form', { class: 'dlg-form', novalidate: true },
    field(t('dlg.time_in_zone', { place: city(ctx.zone) }), input), preview, h('div', { class: 'actions' }, submit), status);
  input.addEventListener('input', () => {
    const at = zonedToUtc(input.value, ctx.zone);
    preview.textContent = at ? timeLine(at, ctx.zone, sidesOf(ctx.dialogue, m)) : '';
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const at = zonedToUtc(input.value, ctx.zone);
    if (!at) {
      fieldError(input, t('dlg.need_time'));
      input.focus();
      return;
    }
    fieldError(input);
    const made = await act(submit, status, () => post(`${meetingPath(ctx.dialogue.id, m.id)}/proposals`, { at }), { busy: t('dlg.proposing') });
    if (!made) return;
    await ctx.refresh();
    /** @type {HTMLElement | null} */ (document.getElementById('propose-at'))?.focus();
    toast(`Proposed: ${timeLine(at, ctx.zone, sidesOf(ctx.dialogue, m))}.`);
  });
  return form;
}

/** The date, the calendar file and the way in. @param {MeetingOut} m @param {Ctx} ctx */
function dateCard(m, ctx) {
  const d = ctx.dialogue;
  const scheduled = m.date.kind === 'scheduled' && m.date.at;
  const card = h('section', { class: 'dlg-card dlg-next', 'aria-labelledby': 'date-h', 'data-testid': 'meeting-date-card' },
    h('h2', { id: 'date-h' }, scheduled && isPast(m, Date.now()) ? t('dlg.state_past') : t('dlg.date')),
    h('p', { class: 'dlg-next-when', 'data-testid': 'meeting-date' }, dateText(m.date, ctx.zone, sidesOf(d, m))),
    m.minutes ? h('p', { class: 'hint' }, t('dlg.planned', { length: lengthText(m.minutes) })) : null);
  const transcript = transcriptLinks(d, m); // kept while it was under way, read during it too
  if (transcript) card.append(transcript);
  if (scheduled) {
    if (!isPast(m, Date.now())) card.append(joinButton(d, m));
    card.append(h('div', { class: 'actions' },
      h('a', { class: 'btn', href: calendarPath(d.id, m.id), download: `${m.id}.ics`, 'data-testid': 'ics' }, t('dlg.ics'))));
    card.append(h('p', { class: 'hint dlg-gap' }, t('dlg.to_move')));
  } else {
    card.append(h('p', { class: 'hint' }, t('dlg.how_scheduled')));
  }
  return card;
}

/** @param {MeetingOut} m @param {Ctx} ctx */
function proposalsCard(m, ctx) {
  const status = statusLine('proposals-status');
  const open = m.proposals.filter((p) => p.state === 'open');
  const closed = m.proposals.filter((p) => p.state !== 'open');
  const invited = m.sides.includes(ctx.you.side);
  return h('section', { class: 'dlg-card', 'aria-labelledby': 'proposals-h', 'data-testid': 'proposals' },
    h('h2', { id: 'proposals-h' }, t('dlg.times_proposed')),
    open.length
      ? h('ul', { class: 'dlg-proposals', 'aria-label': t('dlg.open_proposals') }, open.map((p) => proposalItem(m, p, ctx, status)))
      : h('p', { class: 'hint' }, t('dlg.no_open_proposal')),
    status,
    // A scheduled meeting moves the same way: a new proposal, accepted again.
    invited ? h('h3', {}, m.date.kind === 'scheduled' ? t('dlg.propose_another') : t('dlg.propose')) : h('p', { class: 'hint' }, t('dlg.side_not_in_proposes')),
    invited ? proposeForm(m, ctx) : null,
    closed.length
      ? h('details', { class: 'dlg-earlier' }, h('summary', {}, t('dlg.earlier', { count: closed.length })),
        h('ul', { class: 'dlg-proposals' }, closed.map((p) => proposalItem(m, p, ctx, status))))
      : null);
}

/** "A and B", "A, B and C". @param {string[]} names */
const andList = (names) => (names.length < 2 ? names.join('') : t('e2ee.list', { first: names.slice(0, -1).join(', '), last: names[names.length - 1] }));

/**
 * @param {string} dialogueId @param {string} meetingId
 * @param {{refreshing?: boolean}} [options]
 */
export async function showMeeting(dialogueId, meetingId, options = {}) {
  const d = await loadDialogue(dialogueId);
  if (!d) return;
  const m = d.meetings.find((x) => x.id === meetingId);
  if (!m) {
    const root = screen(t('dlg.no_meeting_title'));
    root.append(h('p', { role: 'alert', 'data-testid': 'refusal' }, t('dlg.no_meeting_here')),
      h('a', { class: 'btn', href: dialoguePath(d.id) }, t('dlg.back_to', { title: d.title })));
    return;
  }
  /** @type {Ctx} */
  const ctx = {
    dialogue: d, you: d.you, zone: viewerZone(),
    refresh: () => keepFocus(() => showMeeting(dialogueId, meetingId, { refreshing: true })),
  };
  keepCaret(); // a draft being typed in goes with the screen cleared here, and comes back
  const root = screen(`${m.topic} · ${d.title}`, m.topic);
  if (options.refreshing) root.querySelector('h1')?.blur();
  const follows = m.follows ? d.meetings.find((x) => x.id === m.follows) : undefined;
  root.prepend(h('p', { class: 'dlg-crumb' }, h('a', { href: dialoguePath(d.id) }, `← ${d.title}`)));
  if (follows) root.append(h('p', { class: 'hint', 'data-testid': 'follows' }, `${t('dlg.follow_up_of')} `, h('a', { href: meetingPath(d.id, follows.id) }, follows.topic)));
  root.append(h('p', { class: 'hint' }, t('dlg.between_sides', { sides: andList(sidesOf(d, m).map((s) => s.name)) })));
  const followUps = d.meetings.filter((x) => x.follows === m.id);
  if (followUps.length) {
    root.append(h('p', { class: 'hint', 'data-testid': 'followed-by' }, `${t('dlg.followed_by')} `,
      followUps.flatMap((f, i) => [i ? ', ' : '', h('a', { href: meetingPath(d.id, f.id) }, f.topic)])));
  }
  if (m.agenda) {
    root.append(h('section', { class: 'dlg-card', 'aria-labelledby': 'agenda-h' }, h('h2', { id: 'agenda-h' }, t('dlg.agenda_h')), h('p', { class: 'dlg-agenda' }, m.agenda)));
  }
  // The date and its proposals side by side; below, across the page, the
  // readouts (which W2 shows side by side too), points and representatives.
  const grid = h('div', { class: 'dlg-grid dlg-even' }, dateCard(m, ctx), proposalsCard(m, ctx));
  const sections = h('div', { class: 'dlg-col dlg-sections' });
  root.append(grid, sections);
  for (const render of [renderReadouts, renderPoints, renderRepresentatives]) {
    const holder = h('div', { class: 'dlg-section' });
    sections.append(holder);
    render(holder, m, ctx);
  }
}
