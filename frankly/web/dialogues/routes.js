// @ts-check
/**
 * The dialogue pages' addresses: which screen a path is, and the links the
 * pages hand out. Pure functions, no DOM (Node tests them).
 *
 *   /dialogues                           the dialogues this browser belongs to
 *   /dialogues/new                       found a dialogue
 *   /dialogues/join#token=T              join a side through its link
 *   /dialogues/{d}                       a dialogue: sides, history, next meeting
 *   /dialogues/{d}/meetings/{m}          one meeting: its date, proposals, readouts
 *   /dialogues/{d}/device#token=T        this browser becomes another device of a member
 *   /readouts/{r}                        a side's public readout (helper W2's public.js)
 *
 * A link's token travels in the fragment, which browsers never send to a
 * server: no log, proxy or Referer sees it. The page takes it out of the
 * address bar at once (withoutToken).
 */

/** Ids the API makes: a prefix and random hex (frankly/storage/ids.py). */
const ID = /^[a-z]{1,4}-[0-9a-f]{8,64}$/;

/**
 * @typedef {{screen: 'list'} | {screen: 'new'} | {screen: 'join'}
 *   | {screen: 'dialogue', dialogue: string}
 *   | {screen: 'meeting', dialogue: string, meeting: string}
 *   | {screen: 'device', dialogue: string}
 *   | {screen: 'readout', readout: string}
 *   | {screen: 'missing'}} Route
 */

/** @param {string} pathname @returns {Route} */
export function route(pathname) {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  if (parts[0] === 'readouts' && parts.length === 2 && ID.test(parts[1])) return { screen: 'readout', readout: parts[1] };
  if (parts[0] !== 'dialogues') return { screen: 'missing' };
  const [, first, second, third, ...rest] = parts;
  if (first === undefined) return { screen: 'list' };
  if (second === undefined && first === 'new') return { screen: 'new' };
  if (second === undefined && first === 'join') return { screen: 'join' };
  if (!ID.test(first) || rest.length) return { screen: 'missing' };
  if (second === undefined) return { screen: 'dialogue', dialogue: first };
  if (second === 'device' && third === undefined) return { screen: 'device', dialogue: first };
  if (second === 'meetings' && third !== undefined && ID.test(third)) {
    return { screen: 'meeting', dialogue: first, meeting: third };
  }
  return { screen: 'missing' };
}

/** @param {string} dialogue */
export const dialoguePath = (dialogue) => `/dialogues/${encodeURIComponent(dialogue)}`;
/** @param {string} dialogue @param {string} meeting */
export const meetingPath = (dialogue, meeting) => `${dialoguePath(dialogue)}/meetings/${encodeURIComponent(meeting)}`;
/** @param {string} dialogue @param {string} meeting */
export const calendarPath = (dialogue, meeting) => `/api${meetingPath(dialogue, meeting)}/calendar.ics`;
/** A meeting's kept transcript. @param {string} dialogue @param {string} meeting @param {'txt' | 'vtt'} kind */
export const transcriptPath = (dialogue, meeting, kind) => `/api${meetingPath(dialogue, meeting)}/transcript?format=${kind}`;

/** The link a side's invite is handed out as. @param {string} origin @param {string} token */
export const joinLink = (origin, token) => `${origin}/dialogues/join#token=${encodeURIComponent(token)}`;

/** The one-use link that adds a device. @param {string} origin @param {string} dialogue @param {string} token */
export const deviceLink = (origin, dialogue, token) =>
  `${origin}${dialoguePath(dialogue)}/device#token=${encodeURIComponent(token)}`;

/**
 * The token in an address's fragment, and the address without it.
 * @param {string} href
 * @returns {{token: string | null, href: string}}
 */
export function withoutToken(href) {
  const url = new URL(href);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token === null) return { token: null, href };
  fragment.delete('token');
  const rest = fragment.toString();
  url.hash = rest ? `#${rest}` : '';
  return { token: token || null, href: url.href };
}

/**
 * What a side link says about itself, read from its token without checking it
 * (only the server can): which dialogue, whether it makes a lead, until when.
 * Null for a token that is not a readable JWT.
 * @param {string} token
 * @returns {{dialogue: string, side: string, lead: boolean, expires: string} | null}
 */
export function peekLink(token) {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const text = atob(payload.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(text);
    if (typeof claims.dlg !== 'string' || typeof claims.side !== 'string' || typeof claims.exp !== 'number') return null;
    return {
      dialogue: claims.dlg,
      side: claims.side,
      lead: claims.lead === true,
      expires: new Date(claims.exp * 1000).toISOString(),
    };
  } catch {
    return null;
  }
}
