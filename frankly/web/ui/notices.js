// @ts-check
/**
 * What to tell someone whose meeting ended for good: one table from the
 * server's error code, one from the WebSocket close code (docs/protocol.md,
 * "Error codes" and "Close codes"), each row a small function of the room.
 * Pure, no DOM: the Node tests (tests/web/) import this file.
 */

import { dialoguePage } from '../urls.js';
import { Close, Code } from '../wire.js';

/**
 * @typedef {import('../signaling.js').Ended} Ended
 * @typedef {{href: string, text: string}} NoticeLink
 * @typedef {{screen: 'notice', title: string, text: string, link?: NoticeLink}
 *         | {screen: 'invalid'}
 *         | {screen: 'password', why: string}} Notice
 *   the notice screen with these words (and a link onward, if any); the
 *   invalid-room screen; or back to the pre-join screen, asking for the
 *   password, saying why
 * @typedef {(room: string, dialogue: string | null) => Notice} NoticeRow
 *   `dialogue`: the dialogue our invite was made for, if it was a dialogue's
 */

/** @param {string} title @param {string} text @param {NoticeLink} [link] @returns {Notice} */
const notice = (title, text, link) => (link ? { screen: 'notice', title, text, link } : { screen: 'notice', title, text });

/** The way back to a dialogue's page, if we know the dialogue. @param {string | null} dialogue */
const backTo = (dialogue) => (dialogue ? { href: dialoguePage(dialogue), text: 'Back to the dialogue' } : undefined);

/**
 * An invite that expired: a dialogue's lasts ten minutes, and its page gives
 * a fresh one; anyone else's came from a person, who can send another.
 * @type {NoticeRow}
 */
const expired = (_room, dialogue) =>
  dialogue
    ? notice(
        'This invite has expired',
        'The invite to a dialogue’s meeting lasts ten minutes. Go back to the dialogue’s page and join the meeting again to get a fresh one.',
        backTo(dialogue),
      )
    : notice('This invite link does not work', 'The invite has expired. Ask for a new link.');

/** @type {NoticeRow} */
const representativesOnly = (_room, dialogue) =>
  notice(
    'Only the appointed representatives may attend',
    'The sides appointed representatives for this meeting: only they and the sides’ leads may attend, each entering from the dialogue’s page.',
    backTo(dialogue),
  );

/** @type {NoticeRow} */
const invalid = () => ({ screen: 'invalid' });

/** @param {string} why @returns {NoticeRow} */
const password = (why) => () => ({ screen: 'password', why });

/** @type {NoticeRow} */
const full = (room) =>
  notice(
    'This meeting is full',
    `Meeting “${room}” already has as many people as it can hold. Try again later, or ask for another link.`,
  );

/** @type {NoticeRow} */
const protocolError = () =>
  notice('Protocol error', 'The server closed the connection because this client sent messages it could not accept.');

/** @type {NoticeRow} */
const badInvite = () =>
  notice('This invite link does not work', 'The invite in this link is damaged or not from this server.');

/** @type {NoticeRow} */
const humanCheck = () => notice('The human check did not pass', 'Reload the page to try again.');

/**
 * By the error the server sent before closing. An error code missing here
 * (`timeout`) falls through to its close code.
 * @type {Readonly<Record<string, NoticeRow>>}
 */
export const ERROR_NOTICES = Object.freeze({
  [Code.ROOM_FULL]: full,
  [Code.INVALID_ROOM]: invalid,
  [Code.PASSWORD_REQUIRED]: password('This meeting needs a password.'),
  [Code.WRONG_PASSWORD]: password('That password is not right. Try again.'),
  [Code.TOO_MANY_ATTEMPTS]: () => notice('Too many wrong passwords', 'Wait a few minutes before trying again.'),
  [Code.DENIED]: () => notice('You were not let in', 'A host of this meeting turned down your request to join.'),
  [Code.REMOVED]: () =>
    notice(
      'You were removed from the meeting',
      'A host removed you. You can ask to join again; a host has to let you in.',
    ),
  [Code.INVITE_EXPIRED]: expired,
  [Code.REPRESENTATIVES_ONLY]: representativesOnly,
  [Code.INVITE_WRONG_ROOM]: () => notice('This invite link does not work', 'The invite is for another meeting.'),
  [Code.INVITE_INVALID]: badInvite,
  [Code.INVITE_ENDED]: () =>
    notice('This invite link does not work', 'The meeting it was made for is over. Ask for a new link.'),
  [Code.INVITE_REVOKED]: () => notice('This invite link does not work', 'A host withdrew this invite. Ask for a new link.'),
  [Code.LOBBY_FULL]: () =>
    notice('The waiting room is full', 'Too many people are waiting to be let in. Try again in a few minutes.'),
  [Code.HUMAN_CHECK_REQUIRED]: humanCheck,
  [Code.HUMAN_CHECK_FAILED]: humanCheck,
  [Code.UNSUPPORTED_VERSION]: () =>
    notice('This page is out of date', 'The server speaks a newer version of Frankly. Reload the page.'),
  [Code.PROTOCOL_VIOLATION]: protocolError,
  [Code.FLOODING]: protocolError,
});

/**
 * By the close code, when no error above says more.
 * @type {Readonly<Record<number, NoticeRow>>}
 */
export const CLOSE_NOTICES = Object.freeze({
  [Close.NORMAL]: () => notice('You are no longer in the meeting', 'The server ended your connection.'),
  [Close.TOO_BIG]: protocolError,
  [Close.REPLACED]: () =>
    notice(
      'Joined from somewhere else',
      'You are in this meeting from another tab or window now, so this one stopped.',
    ),
  [Close.HANDSHAKE_REFUSED]: protocolError,
  [Close.ROOM_FULL]: full,
  [Close.ENDED]: () => notice('The meeting has ended', 'A host ended this meeting for everyone.'),
  [Close.PROTOCOL_VIOLATION]: protocolError,
  [Close.FLOODING]: protocolError,
});

/** What we say when neither table knows the reason. */
const DISCONNECTED = notice('Disconnected', 'The connection to the meeting ended.');

/**
 * What to show after a connection ended for good.
 * @param {Ended} ended @param {string} room
 * @param {string | null} [dialogue] the dialogue our invite names (urls.js, dialogueOfInvite)
 * @returns {Notice}
 */
export function noticeFor(ended, room, dialogue = null) {
  const code = ended.error?.code ?? '';
  const row = Object.hasOwn(ERROR_NOTICES, code) ? ERROR_NOTICES[code] : CLOSE_NOTICES[ended.code];
  return row ? row(room, dialogue) : DISCONNECTED;
}

/**
 * The small print under a notice: what the server said, and the close code.
 * @param {Ended} ended
 * @returns {string}
 */
export function endedDetail(ended) {
  return ended.error
    ? `Server said: ${ended.error.message} (${ended.error.code}, close code ${ended.code})`
    : `Close code ${ended.code}`;
}
