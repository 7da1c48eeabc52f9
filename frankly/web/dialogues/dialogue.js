// @ts-check
/**
 * A dialogue's page (/dialogues/{d}): its title, the next meeting up front,
 * the whole history at a glance (each meeting with its date and the first
 * line of each side's published readout, follow-ups under the meeting they
 * follow), setting up a meeting, and beside it the sides with their members
 * and leads (members.js: links to hand out, devices).
 */

import { t } from '../i18n.js';
import { ApiFailure, NETWORK, get, post } from './api.js';
import { ApiCode } from './codes.js';
import { joinButton } from './entry.js';
import { firstLine, isNow, isPast, nextMeeting, organises, sideName, sidesOf, tree } from './history.js';
import { forget, knownDialogues, remember } from './known.js';
import { renderDevices, renderInvites, renderSides } from './members.js';
import { act, announce, button, explain, field, fieldError, h, screen, statusLine, toast } from './page.js';
import { dialoguePath, meetingPath } from './routes.js';
import { dateText, lengthText, viewerZone } from './times.js';
import { transcriptLinks } from './transcript.js';

/** @typedef {import('./history.js').DialogueOut} DialogueOut */
/** @typedef {import('./history.js').MeetingOut} MeetingOut */
/** @typedef {import('./history.js').Branch} Branch */

/**
 * The dialogue as this member may see it, or null when the server refused
 * (the refusal is then the screen).
 * @param {string} id
 * @returns {Promise<DialogueOut | null>}
 */
export async function loadDialogue(id) {
  try {
    const found = /** @type {DialogueOut} */ (await get(dialoguePath(id)));
    remember(found.id, found.title);
    return found;
  } catch (error) {
    showRefused(id, error);
    return null;
  }
}

/** Why this browser cannot see the dialogue, and what to do. @param {string} id @param {unknown} error */
function showRefused(id, error) {
  const code = error instanceof ApiFailure ? error.code : '';
  /** @type {Record<string, [string, string]>} */
  const words = {
    [ApiCode.UNAUTHENTICATED]: [t('dlg.not_member_title'), t('dlg.not_member')],
    [ApiCode.UNKNOWN_DIALOGUE]: [t('dlg.no_dialogue_title'), t('dlg.no_dialogue')],
    // The API says member-removed to a removed member's other devices too, and
    // to a member who left from another device: the words fit both.
    [ApiCode.MEMBER_REMOVED]: [t('dlg.removed_title'), t('dlg.removed')],
  };
  const [title, text] = words[code] ?? [t('dlg.cannot_open_title'), explain(error)];
  const root = screen(title);
  root.classList.add('dlg-narrow');
  document.body.dataset.refused = code || 'error';
  const listed = knownDialogues().some((k) => k.id === id);
  const forgetButton = button(t('dlg.forget'), { class: 'btn btn-quiet' });
  forgetButton.addEventListener('click', () => {
    forget(id);
    announce(t('dlg.forgotten'));
    forgetButton.disabled = true;
  });
  const again = button(t('notice.retry'), { class: 'btn' });
  again.addEventListener('click', () => location.reload());
  root.append(h('p', { role: 'alert', 'data-testid': 'refusal' }, text),
    h('div', { class: 'actions' }, code === NETWORK ? again : null, listed ? forgetButton : null, h('a', { class: 'btn', href: '/dialogues' }, t('home.dialogues_link'))));
}

/** "Ann, lead of United States · convener". @param {DialogueOut} d */
export function youLine(d) {
  const side = sideName(d, d.you.side);
  const roles = [d.you.lead ? t('dlg.lead_of', { side }) : t('dlg.member_of', { side })];
  if (d.you.convener) roles.push(t('dlg.convener'));
  return t('dlg.you_are', { name: d.you.name, roles: roles.join(' · ') });
}

/**
 * One meeting as a line of the history: topic (a link), date, readouts' first lines.
 * @param {DialogueOut} d @param {Branch} branch @param {number} now @param {string} zone
 * @returns {HTMLElement}
 */
function historyItem(d, branch, now, zone) {
  const m = branch.meeting;
  const state = isNow(m, now) ? 'now' : isPast(m, now) ? 'past' : m.date.kind === 'scheduled' ? 'scheduled' : 'open';
  const stateWord = t({ now: 'dlg.state_now', past: 'dlg.state_past', scheduled: 'dlg.state_scheduled', open: 'dlg.state_open' }[state]);
  const readouts = m.readouts.length
    ? h('ul', { class: 'dlg-readout-lines', 'aria-label': t('dlg.published_readouts') },
      m.readouts.map((r) => h('li', {}, h('strong', {}, `${sideName(d, r.side)}: `), firstLine(r.revision.text))))
    : isPast(m, now) ? h('p', { class: 'hint' }, t('dlg.no_readout')) : null;
  // What every side agreed at it, beside what each side says (points.js drafts and confirms them).
  const agreed = (m.points ?? []).filter((p) => p.agreed);
  const points = agreed.length
    ? h('ul', { class: 'dlg-readout-lines', 'aria-label': t('dlg.agreed_points'), 'data-testid': 'agreed-points' },
      agreed.map((p) => h('li', {}, h('strong', {}, t('dlg.agreed_prefix')), firstLine(p.text))))
    : null;
  return h('li', { class: 'dlg-history-item', 'data-state': state, 'data-testid': 'history-item' },
    h('div', { class: 'dlg-history-head' },
      h('span', { class: 'dlg-state' }, stateWord), ' ', // read apart, not "ScheduledTopic"
      h('a', { href: meetingPath(d.id, m.id), class: 'dlg-topic' }, m.topic)),
    h('p', { class: 'dlg-when' }, dateText(m.date, zone, sidesOf(d, m))),
    readouts,
    points,
    transcriptLinks(d, m),
    branch.followUps.length
      ? h('ol', { class: 'dlg-history dlg-followups', 'aria-label': t('dlg.follow_ups_of', { topic: m.topic }) },
        branch.followUps.map((b) => historyItem(d, b, now, zone)))
      : null);
}

/** @param {DialogueOut} d @param {number} now @param {string} zone */
function nextCard(d, now, zone) {
  const next = nextMeeting(d.meetings, now);
  const card = h('section', { class: 'dlg-card dlg-next', 'aria-labelledby': 'next-h', 'data-testid': 'next-meeting' },
    h('h2', { id: 'next-h' }, next && isNow(next, now) ? t('dlg.under_way_now') : t('dlg.next_meeting')));
  if (!next) {
    card.append(h('p', { class: 'hint' }, d.meetings.length ? t('dlg.all_held') : t('dlg.no_meeting')));
    return card;
  }
  card.append(
    h('p', { class: 'dlg-next-topic' }, h('a', { href: meetingPath(d.id, next.id) }, next.topic)),
    h('p', { class: 'dlg-next-when', 'data-testid': 'next-when' }, dateText(next.date, zone, sidesOf(d, next))),
    ...(next.date.kind === 'scheduled' ? [joinButton(d, next), moving(d, next) ?? ''] : [waiting(d, next)]));
  return card;
}

/** Where the date of a meeting stands: whose move it is. @param {DialogueOut} d @param {MeetingOut} m */
function waiting(d, m) {
  const open = m.proposals.filter((p) => p.state === 'open');
  const theirs = open.filter((p) => p.side !== d.you.side).length;
  const ours = open.length - theirs;
  /** @param {number} n */
  const times = (n) => t('dlg.times', { count: n });
  const link = (/** @type {string} */ text) => h('a', { href: meetingPath(d.id, m.id), 'data-testid': 'next-action' }, text);
  if (!m.sides.includes(d.you.side)) return h('p', { class: 'hint' }, t('dlg.side_not_in'));
  if (theirs) return h('p', {}, link(t('dlg.proposed_to_you', { times: times(theirs) })));
  if (ours) return h('p', { class: 'hint' }, `${t('dlg.proposed_by_you', { times: times(ours) })} `, link(t('dlg.see_them')));
  return h('p', { class: 'hint' }, link(t('dlg.propose')), t('dlg.propose_rest'));
}

/**
 * A scheduled meeting that another side proposes to move: the answer is this side's to give.
 * @param {DialogueOut} d @param {MeetingOut} m
 */
function moving(d, m) {
  const theirs = m.proposals.filter((p) => p.state === 'open' && p.side !== d.you.side).length;
  if (!theirs || !m.sides.includes(d.you.side)) return null;
  const text = t('dlg.move_proposed', { count: theirs });
  return h('p', {}, h('a', { href: meetingPath(d.id, m.id), 'data-testid': 'next-action' }, text));
}

/** Planned lengths to choose from, in minutes (the API takes 15 to 600). */
const LENGTHS = [15, 30, 45, 60, 90, 120, 180, 240];

/**
 * Setting up a meeting: topic, agenda, and the date to agree (tba, asap, by a day).
 * @param {DialogueOut} d @param {() => Promise<void>} refresh
 */
function meetingForm(d, refresh) {
  const topic = /** @type {HTMLInputElement} */ (h('input', { id: 'mt-topic', type: 'text', maxlength: '200', required: true, autocomplete: 'off' }));
  const agenda = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'mt-agenda', rows: '3' }));
  const by = /** @type {HTMLInputElement} */ (h('input', { id: 'mt-by', type: 'date', 'aria-label': t('dlg.by_which_day') }));
  /** @param {string} value @param {string} text @param {HTMLElement} [extra] */
  const choice = (value, text, extra) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'mt-kind', value, checked: value === 'tba' }), text, extra ?? null);
  const kinds = h('fieldset', { class: 'dlg-kinds' }, h('legend', {}, t('dlg.date')),
    choice('tba', t('dlg.tba')), choice('asap', t('dlg.asap')), choice('by', t('dlg.by_day'), by));
  const minutes = /** @type {HTMLSelectElement} */ (h('select', { id: 'mt-minutes' },
    LENGTHS.map((n) => h('option', { value: String(n), selected: n === 60 }, lengthText(n)))));
  // With more than two sides, a meeting may be between some of them.
  const between = d.sides.length > 2
    ? h('fieldset', { class: 'dlg-kinds' }, h('legend', {}, t('dlg.between')),
      d.sides.map((s) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'mt-side', value: s.id, checked: true }), s.name)))
    : null;
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'create-meeting' }, t('dlg.set_up')));
  const status = statusLine('meeting-status');
  const form = h('form', { class: 'dlg-form', novalidate: true },
    field(t('dlg.topic'), topic), field(t('dlg.agenda'), agenda), kinds, field(t('dlg.length'), minutes), between,
    h('div', { class: 'actions' }, submit), status);
  by.addEventListener('input', () => {
    const radio = /** @type {HTMLInputElement | null} */ (form.querySelector('input[value="by"]'));
    if (radio) radio.checked = true;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!topic.value.trim()) {
      fieldError(topic, t('dlg.need_topic'));
      topic.focus();
      return;
    }
    fieldError(topic);
    const kind = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="mt-kind"]:checked'))?.value ?? 'tba';
    if (kind === 'by' && !by.value) {
      status.say(t('dlg.need_day'), 'error');
      by.focus();
      return;
    }
    const date = kind === 'by' ? { kind, by: by.value } : { kind };
    /** @type {Record<string, unknown>} */
    const body = { topic: topic.value.trim(), agenda: agenda.value, date, minutes: Number(minutes.value) };
    if (between) {
      const chosen = [...between.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
      if (chosen.length < 2) {
        status.say(t('dlg.two_sides'), 'error');
        return;
      }
      body.sides = chosen;
    }
    const made = await act(submit, status, () => post(`${dialoguePath(d.id)}/meetings`, body), { busy: t('dlg.setting_up') });
    if (!made) return;
    await refresh();
    toast(t('dlg.set_up_done', { topic: made.topic }));
  });
  if (!d.meetings.length) {
    return h('section', { class: 'dlg-card', 'aria-labelledby': 'new-meeting-h' }, h('h2', { id: 'new-meeting-h' }, t('dlg.set_up_a')), form);
  }
  // With a history to read, the form waits behind its summary.
  return h('section', { class: 'dlg-card', 'aria-label': t('dlg.set_up_another') },
    h('details', { class: 'dlg-more-form' }, h('summary', { 'data-key': 'new-meeting' }, t('dlg.set_up_another')), form));
}

/**
 * Show the dialogue. `fresh` is the answer of founding it: its side links
 * are made at once, to be handed out.
 * @param {string} id
 * @param {{fresh?: DialogueOut, refreshing?: boolean}} [options]
 */
export async function showDialogue(id, options = {}) {
  const d = options.fresh ?? (await loadDialogue(id));
  if (!d) return;
  const zone = viewerZone();
  const now = Date.now();
  const refresh = () => keepFocus(() => showDialogue(id, { refreshing: true }));
  const root = screen(d.title);
  if (options.refreshing) root.querySelector('h1')?.blur();
  root.classList.remove('dlg-narrow');
  const history = tree(d.meetings);
  // Just founded: the links to hand out come first (on a phone, above all else).
  const first = h('div', { class: 'dlg-col' });
  first.hidden = !options.fresh;
  const mainColumn = h('div', { class: 'dlg-col' },
    first,
    nextCard(d, now, zone),
    h('section', { class: 'dlg-card', 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, t('dlg.meetings')),
      history.length
        ? h('ol', { class: 'dlg-history', 'data-testid': 'history' }, history.map((b) => historyItem(d, b, now, zone)))
        : h('p', { class: 'hint' }, t('dlg.no_meeting'))),
    organises(d) ? meetingForm(d, refresh) : null);
  const aside = h('div', { class: 'dlg-col dlg-aside' });
  root.append(h('p', { class: 'dlg-you', 'data-testid': 'you' }, youLine(d)), h('div', { class: 'dlg-grid' }, mainColumn, aside));
  renderSides(aside, d, refresh);
  renderInvites(options.fresh ? first : aside, d, { fresh: Boolean(options.fresh) });
  renderDevices(aside, d);
}

/**
 * Text typed but not sent in the page's text areas (a draft, an agenda),
 * by id, but for the form that was just sent: a redraw must not lose it.
 * @param {HTMLElement | null} active
 * @returns {[string, string][]}
 */
function unsent(active) {
  const sent = active?.closest('form');
  return [...document.querySelectorAll('#main textarea[id]')]
    .map((el) => /** @type {HTMLTextAreaElement} */ (el))
    .filter((el) => el.value !== el.defaultValue && el.closest('form') !== sent)
    .map((el) => [el.id, el.value]);
}

/** @param {[string, string][]} typed */
function restore(typed) {
  for (const [id, value] of typed) {
    const el = document.getElementById(id);
    if (el instanceof HTMLTextAreaElement && el.value === el.defaultValue) {
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }
}

/**
 * Re-render, and put focus back where it was (an element with the same
 * data-key), so that a keyboard user is not thrown to the top after acting;
 * text typed elsewhere on the page and not yet sent stays.
 * @param {() => Promise<void>} render
 */
export async function keepFocus(render) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const typed = unsent(active);
  const key = active?.closest('[data-key]')?.getAttribute('data-key');
  // Where the button was, when it is gone (an accepted proposal has no buttons).
  const heading = active?.closest('section[aria-labelledby]')?.getAttribute('aria-labelledby');
  const y = window.scrollY;
  await render();
  restore(typed);
  window.scrollTo(0, y);
  const again = key ? /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(key)}"]`)) : null;
  const near = heading ? document.getElementById(heading) : null;
  if (again) again.focus({ preventScroll: true });
  else if (near) {
    near.tabIndex = -1;
    near.focus({ preventScroll: true });
  }
}
