// @ts-check
/**
 * What to tell someone whose meeting ended for good: one table from the
 * server's error code, one from the WebSocket close code (docs/protocol.md,
 * "Error codes" and "Close codes"), each row a small function of the room.
 * Pure, no DOM: the Node tests (tests/web/) import this file.
 *
 * Every notice says in words what happened and what the person can do; codes
 * never reach its title or text, only the details line for support
 * (`endedDetail`). `again` says whether "Try again" can help: after an
 * end-for-all or a dead invite, reloading the page only ends the same way.
 */

import { dialoguePage } from '../urls.js';
import { Close, Code } from '../wire.js';

/**
 * @typedef {import('../signaling.js').Ended} Ended
 * @typedef {{href: string, text: string}} NoticeLink
 * @typedef {{screen: 'notice', title: string, text: string, again: boolean, link?: NoticeLink}
 *         | {screen: 'invalid'}
 *         | {screen: 'password', why: string}
 *         | {screen: 'passphrase'}} Notice
 *   the notice screen with these words (and a link onward, if any); the
 *   invalid-room screen; or back to the pre-join screen, asking for the
 *   password, saying why
 * @typedef {(room: string, dialogue: string | null) => Notice} NoticeRow
 *   `dialogue`: the dialogue our invite was made for, if it was a dialogue's
 */

/**
 * The notice screen's words.
 * @param {boolean} again @param {string} title @param {string} text @param {NoticeLink} [link]
 * @returns {Notice}
 */
const words = (again, title, text, link) =>
  link ? { screen: 'notice', title, text, again, link } : { screen: 'notice', title, text, again };

/**
 * A notice after which trying again (reloading the page) may work.
 * @param {string} title @param {string} text @param {NoticeLink} [link]
 */
const notice = (title, text, link) => words(true, title, text, link);

/**
 * A notice after which trying again ends the same way: no "Try again".
 * @param {string} title @param {string} text @param {NoticeLink} [link]
 */
const final = (title, text, link) => words(false, title, text, link);

/** The way back to a dialogue's page, if we know the dialogue. @param {string | null} dialogue */
const backTo = (dialogue) => (dialogue ? { href: dialoguePage(dialogue), text: 'Back to the dialogue' } : undefined);

/**
 * An invite that expired: a dialogue's lasts ten minutes, and its page gives
 * a fresh one; anyone else's came from a person, who can send another.
 * @type {NoticeRow}
 */
const expired = (_room, dialogue) =>
  dialogue
    ? final(
        'This invite has expired',
        'The invite to a dialogue’s meeting lasts ten minutes. Go back to the dialogue’s page and join the meeting again to get a fresh one.',
        backTo(dialogue),
      )
    : final('This invite link does not work', 'The invite has expired. Ask for a new link.');

/** @type {NoticeRow} */
const representativesOnly = (_room, dialogue) =>
  final(
    'Only the appointed representatives may attend',
    'The sides appointed representatives for this meeting: only they and the sides’ leads may attend, each entering from the dialogue’s page.',
    backTo(dialogue),
  );

/** @type {NoticeRow} */
const invalid = () => ({ screen: 'invalid' });

/** @param {string} why @returns {NoticeRow} */
const password = (why) => () => ({ screen: 'password', why });

/** @type {NoticeRow} */
const passphrase = () => ({ screen: 'passphrase' });

/** @type {NoticeRow} */
const full = (room) =>
  notice(
    'This meeting is full',
    `Meeting “${room}” already has as many people as it can hold. Try again later, or ask for another link.`,
  );

/** @type {NoticeRow} */
const protocolError = () =>
  notice(
    'The connection to the meeting broke off',
    'The server could not accept what this page sent, so it closed the connection. Try again; if it happens again, reload the page to get the newest version.',
  );

/** @type {NoticeRow} */
const badInvite = () =>
  final(
    'This invite link does not work',
    'The invite in this link is damaged or not from this server. Check that you copied the whole link, or ask for a new one.',
  );

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
  [Code.PASSPHRASE_REQUIRED]: passphrase,
  [Code.TOO_MANY_ATTEMPTS]: () => notice('Too many wrong passwords', 'Wait a few minutes before trying again.'),
  [Code.DENIED]: () => notice(
      'You were not let in',
      'A host of this meeting turned down your request to join. If that was a mistake, tell the host, then try again.',
    ),
  [Code.REMOVED]: () =>
    notice(
      'You were removed from the meeting',
      'A host removed you. You can ask to join again; a host has to let you in.',
    ),
  [Code.INVITE_EXPIRED]: expired,
  [Code.REPRESENTATIVES_ONLY]: representativesOnly,
  [Code.INVITE_WRONG_ROOM]: () =>
    final('This invite link does not work', 'The invite is for another meeting. Ask for a link to this one.'),
  [Code.INVITE_INVALID]: badInvite,
  [Code.INVITE_ENDED]: () =>
    final('This invite link does not work', 'The meeting it was made for is over. Ask for a new link.'),
  [Code.INVITE_REVOKED]: () => final('This invite link does not work', 'A host withdrew this invite. Ask for a new link.'),
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
  [Close.NORMAL]: () =>
    notice('You are no longer in the meeting', 'The server ended your connection. Try again to go back in.'),
  [Close.TOO_BIG]: protocolError,
  [Close.REPLACED]: () =>
    notice(
      'Joined from somewhere else',
      'You are in this meeting from another tab or window now, so this one stopped.',
    ),
  [Close.HANDSHAKE_REFUSED]: protocolError,
  [Close.ROOM_FULL]: full,
  [Close.ENDED]: () =>
    final(
      'The meeting has ended',
      'A host ended this meeting for everyone. To meet again, start a new meeting or ask for a new link.',
    ),
  [Close.PROTOCOL_VIOLATION]: protocolError,
  [Close.FLOODING]: protocolError,
});

/** What we say when neither table knows the reason. */
const DISCONNECTED = notice(
  'You were disconnected',
  'The connection to the meeting ended. Check your network, then try again.',
);

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
 * The small print under a notice, for whoever helps them: the close code and
 * the server's error code, if it sent one. The server's own message is in
 * English for developers and stays out of the way.
 * @param {Ended} ended
 * @returns {string}
 */
export function endedDetail(ended) {
  return `Details for support: ${ended.code}${ended.error ? ` ${ended.error.code}` : ''}`;
}
