// @ts-check
/**
 * What the readout, point and representative sections say, worked out from
 * the API's JSON (docs/api.md) without touching the page: names behind ids,
 * times in the viewer's zone, which revision a lead may publish, who has
 * confirmed a point and who is still waited for. Pure, so tests/web checks
 * them in Node; the sections (readouts.js, points.js, representatives.js,
 * public.js) only turn these answers into elements.
 */

import { language, t } from '../i18n.js';

/**
 * @typedef {{id: string, name: string, zone: string, lead: string | null}} SideOut
 * @typedef {{id: string, name: string, side: string}} MemberOut
 * @typedef {MemberOut & {convener: boolean, lead: boolean}} YouOut
 * @typedef {{number: number, text: string, html: string, author: string, at: string,
 *            published: boolean}} RevisionOut
 * @typedef {{side: string, revision: RevisionOut, id?: string, public?: boolean,
 *            url?: string | null, history?: RevisionOut[]}} ReadoutOut
 * @typedef {{side: string, lead: string, at: string}} ConfirmationOut
 * @typedef {{id: string, text: string, html: string, side: string, author: string, at: string,
 *            confirmations: ConfirmationOut[], waiting_for: string[], agreed: boolean}} PointOut
 * @typedef {{member: string, side: string, topic: string}} RepresentativeOut
 * @typedef {{kind: string, by?: string | null, at?: string | null, shown?: string | null}} DateOut
 * @typedef {{id: string, topic: string, agenda: string, follows: string | null, date: DateOut,
 *            room: string, sides: string[], readouts?: ReadoutOut[], points?: PointOut[],
 *            representatives?: RepresentativeOut[], attendees?: string[], minutes?: number}} MeetingOut
 * @typedef {{id: string, title: string, convener: string | null, you: YouOut, sides: SideOut[],
 *            members: MemberOut[], meetings: MeetingOut[]}} DialogueOut
 * @typedef {{dialogue: DialogueOut, you: YouOut, zone: string, refresh: () => Promise<void>}} Ctx
 */

/** @param {DialogueOut} dialogue @param {string} id @returns {string} */
export function memberName(dialogue, id) {
  return dialogue.members.find((m) => m.id === id)?.name ?? 'a former member';
}

/** @param {DialogueOut} dialogue @param {string} id @returns {string} */
export function sideName(dialogue, id) {
  return dialogue.sides.find((s) => s.id === id)?.name ?? 'another side';
}

/**
 * An instant as the viewer reads it, in their zone: "Tue 16 Mar 2027, 18:00",
 * the server's own style (zones.render), whatever the browser's locale data.
 * An unknown zone falls back to the browser's own rather than failing the page.
 * @param {string} iso @param {string} [zone] @returns {string}
 */
export function when(iso, zone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  // English keeps its fixed shape (the server's); another language writes it its own way.
  const locale = language() === 'en' ? 'en-GB' : language();
  let format;
  try {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
  } catch {
    format = new Intl.DateTimeFormat(locale, options);
  }
  if (locale !== 'en-GB') return format.format(date);
  const part = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}, ${part.hour}:${part.minute}`;
}

/** The revision a new save is edited from: the latest's number, 0 before the first. */
export function baseOf(/** @type {RevisionOut[]} */ revisions) {
  return revisions.reduce((n, r) => Math.max(n, r.number), 0);
}

/**
 * What the lead may publish: the rules publish only the latest revision, so
 * an older one is first restored (saved again as the newest). null when the
 * latest is published already or there is none; `correction` when an
 * earlier revision is out, so publishing this one corrects it.
 * @param {RevisionOut[]} revisions @returns {{number: number, correction: boolean} | null}
 */
export function publishable(revisions) {
  const latest = revisions.find((r) => r.number === baseOf(revisions));
  if (!latest || latest.published) return null;
  return { number: latest.number, correction: revisions.some((r) => r.published) };
}

/**
 * A side's published readout, newest first: the history when the server sends
 * it (corrections and what they corrected), else only the one in force.
 * @param {ReadoutOut | undefined} readout @returns {RevisionOut[]}
 */
export function publishedHistory(readout) {
  if (!readout) return [];
  const history = Array.isArray(readout.history) && readout.history.length ? readout.history : [readout.revision];
  return [...history].sort((a, b) => b.number - a.number);
}

/**
 * Who confirmed a point and who is still waited for, in names.
 * @param {PointOut} point @param {DialogueOut} dialogue @param {YouOut} you
 */
export function pointState(point, dialogue, you) {
  return {
    agreed: point.agreed,
    drafted: `${sideName(dialogue, point.side)} (${memberName(dialogue, point.author)})`,
    confirmed: point.confirmations.map((c) => ({
      side: sideName(dialogue, c.side), lead: memberName(dialogue, c.lead), at: c.at,
    })),
    waiting: point.waiting_for.map((s) => sideName(dialogue, s)),
    // The server decides; this only offers the button to whom it would accept.
    canConfirm: you.lead && point.waiting_for.includes(you.side),
  };
}

/** Whether `you` may set up a follow-up: the convener or any side's lead. */
export function mayFollowUp(/** @type {YouOut} */ you) {
  return you.convener || you.lead;
}

/**
 * The appointed representatives grouped by the meeting's sides, in its order.
 * @param {MeetingOut} meeting @param {DialogueOut} dialogue
 * @returns {{side: string, name: string, people: {member: string, name: string, topic: string}[]}[]}
 */
export function representativesBySide(meeting, dialogue) {
  const all = meeting.representatives ?? [];
  return meeting.sides.map((side) => ({
    side,
    name: sideName(dialogue, side),
    people: all.filter((r) => r.side === side).map((r) => ({ member: r.member, name: memberName(dialogue, r.member), topic: r.topic })),
  }));
}

/**
 * Members of your side that you, its lead, could still appoint.
 * @param {MeetingOut} meeting @param {DialogueOut} dialogue @param {YouOut} you @returns {MemberOut[]}
 */
export function appointable(meeting, dialogue, you) {
  const taken = new Set((meeting.representatives ?? []).map((r) => r.member));
  return dialogue.members.filter((m) => m.side === you.side && !taken.has(m.id));
}

/**
 * The follow-up form's values as the API's body, or the first problem in words.
 * @param {{topic: string, agenda: string, kind: string, by: string}} form
 * @returns {{body: {topic: string, agenda: string, date: {kind: string, by?: string}}} | {problem: string}}
 */
export function followUpBody(form) {
  const topic = form.topic.trim();
  if (!topic) return { problem: t('dlg.follow_up_topic') };
  if (form.kind === 'by') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form.by)) return { problem: t('dlg.follow_up_by') };
    return { body: { topic, agenda: form.agenda, date: { kind: 'by', by: form.by } } };
  }
  return { body: { topic, agenda: form.agenda, date: { kind: form.kind === 'asap' ? 'asap' : 'tba' } } };
}

/** The words for a meeting's date, when the server has not shown it in the zones. */
export function dateWords(/** @type {DateOut} */ date, /** @type {string} */ zone) {
  if (date.shown) return date.shown;
  if (date.kind === 'scheduled' && date.at) return when(date.at, zone);
  if (date.kind === 'asap') return t('dlg.date_asap');
  if (date.kind === 'by' && date.by) return t('dlg.date_by', { day: date.by });
  return t('times.tba');
}
