// @ts-check
/**
 * A dialogue's history at a glance, from the API's DialogueOut: pure
 * functions, no DOM (Node tests them). Meetings in the order they were set
 * up, each follow-up under the meeting it follows; which one is next; what
 * each side's published readout begins with.
 */

/**
 * @typedef {{kind: string, by?: string | null, at?: string | null, shown?: string | null}} DateOut
 * @typedef {{id: string, side: string, at: string, state: string, by: string, decided_by: string | null}} ProposalOut
 * @typedef {{number: number, text: string, html: string, author: string, at: string, published: boolean}} RevisionOut
 * @typedef {{id: string, side: string, revision: RevisionOut, public: boolean, url: string | null,
 *   history: RevisionOut[]}} ReadoutOut
 * @typedef {{side: string, lead: string, at: string}} ConfirmationOut
 * @typedef {{id: string, text: string, html: string, side: string, author: string, at: string,
 *   confirmations: ConfirmationOut[], waiting_for: string[], agreed: boolean}} PointOut
 * @typedef {{member: string, side: string, topic: string}} RepresentativeOut
 * @typedef {{id: string, topic: string, agenda: string, follows: string | null, date: DateOut,
 *   room: string, sides: string[], minutes: number, proposals: ProposalOut[], readouts: ReadoutOut[],
 *   representatives: RepresentativeOut[], attendees: string[], points: PointOut[],
 *   transcript?: number}} MeetingOut
 * @typedef {{id: string, name: string, zone: string, lead: string | null}} SideOut
 * @typedef {{id: string, name: string, side: string}} MemberOut
 * @typedef {MemberOut & {convener: boolean, lead: boolean}} YouOut
 * @typedef {{id: string, title: string, convener: string | null, created: string, you: YouOut,
 *   sides: SideOut[], members: MemberOut[], former: MemberOut[], meetings: MeetingOut[]}} DialogueOut
 * @typedef {{meeting: MeetingOut, followUps: Branch[]}} Branch
 */

/** A meeting lasts this long unless the API says otherwise (MeetingOut.minutes). */
export const DEFAULT_MINUTES = 60;

/** When a scheduled meeting ends, in milliseconds; null if it has no time. @param {MeetingOut} m */
export function endsAt(m) {
  if (m.date.kind !== 'scheduled' || !m.date.at) return null;
  return Date.parse(m.date.at) + (m.minutes ?? DEFAULT_MINUTES) * 60_000;
}

/** Held already: its time has come and gone. @param {MeetingOut} m @param {number} now */
export function isPast(m, now) {
  const end = endsAt(m);
  return end !== null && end <= now;
}

/** Under way now. @param {MeetingOut} m @param {number} now */
export function isNow(m, now) {
  const end = endsAt(m);
  return end !== null && m.date.at != null && Date.parse(m.date.at) <= now && now < end;
}

/**
 * The next meeting: one under way, else the soonest scheduled one, else the
 * first still waiting for a date; null when every meeting is past.
 * @param {ReadonlyArray<MeetingOut>} meetings @param {number} now
 * @returns {MeetingOut | null}
 */
export function nextMeeting(meetings, now) {
  const coming = meetings.filter((m) => !isPast(m, now));
  const timed = coming
    .filter((m) => m.date.kind === 'scheduled' && m.date.at)
    .sort((a, b) => Date.parse(a.date.at ?? '') - Date.parse(b.date.at ?? ''));
  return timed[0] ?? coming.find((m) => m.date.kind !== 'scheduled') ?? null;
}

/**
 * The meetings as a tree: each follow-up under the meeting it follows, in the
 * API's order (the order they were set up). A follow-up of a meeting that is
 * not in the list stays at the top.
 * @param {ReadonlyArray<MeetingOut>} meetings
 * @returns {Branch[]}
 */
export function tree(meetings) {
  /** @type {Map<string, Branch>} */
  const branches = new Map(meetings.map((m) => [m.id, { meeting: m, followUps: [] }]));
  /** @type {Branch[]} */
  const roots = [];
  for (const m of meetings) {
    const branch = /** @type {Branch} */ (branches.get(m.id));
    const parent = m.follows ? branches.get(m.follows) : undefined;
    if (parent && parent !== branch) parent.followUps.push(branch);
    else roots.push(branch);
  }
  return roots;
}

/**
 * A readout's first line, as plain words: Markdown's marks at its start
 * taken off, cut at `max` characters.
 * @param {string} text @param {number} [max]
 */
export function firstLine(text, max = 140) {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  const plain = line.replace(/^(#{1,6}\s+|[-*+]\s+|>\s*|\d+[.)]\s+)/, '').replace(/[*_`]/g, '');
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/**
 * Who is who: a member's name, by id; one removed (or who left) is still
 * named, from the dialogue's `former`.
 * @param {DialogueOut} d @param {string | null | undefined} id
 */
export function memberName(d, id) {
  const current = d.members.find((m) => m.id === id);
  if (current) return current.name;
  const former = (d.former ?? []).find((m) => m.id === id);
  return former ? `${former.name} (former member)` : 'a former member';
}

/** @param {DialogueOut} d @param {string} id */
export function sideName(d, id) {
  return d.sides.find((s) => s.id === id)?.name ?? 'a side';
}

/** The sides a meeting is between (all of them when the API names none). @param {DialogueOut} d @param {MeetingOut} m */
export function sidesOf(d, m) {
  const ids = m.sides?.length ? m.sides : d.sides.map((s) => s.id);
  return d.sides.filter((s) => ids.includes(s.id));
}

/** May `you` set up meetings? The convener and the leads (the server decides). @param {DialogueOut} d */
export const organises = (d) => d.you.convener || d.you.lead;
