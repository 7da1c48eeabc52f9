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

import { t } from '../i18n.js';
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
const backTo = (dialogue) => (dialogue ? { href: dialoguePage(dialogue), text: t('notice.back_dialogue') } : undefined);

/**
 * An invite that expired: a dialogue's lasts ten minutes, and its page gives
 * a fresh one; anyone else's came from a person, who can send another.
 * @type {NoticeRow}
 */
const expired = (_room, dialogue) =>
  dialogue
    ? final(t('notice.expired_title'), t('notice.expired_dialogue'), backTo(dialogue))
    : final(t('notice.invite_broken'), t('notice.expired'));

/** @type {NoticeRow} */
const representativesOnly = (_room, dialogue) =>
  final(t('notice.representatives_title'), t('notice.representatives'), backTo(dialogue));

/** @type {NoticeRow} */
const invalid = () => ({ screen: 'invalid' });

/** @param {string} why the key of the words saying why @returns {NoticeRow} */
const password = (why) => () => ({ screen: 'password', why: t(why) });

/** @type {NoticeRow} */
const passphrase = () => ({ screen: 'passphrase' });

/** @type {NoticeRow} */
const full = (room) =>
  notice(t('notice.full_title'), t('notice.full', { room }));

/** @type {NoticeRow} */
const protocolError = () =>
  notice(t('notice.protocol_title'), t('notice.protocol'));

/** @type {NoticeRow} */
const badInvite = () =>
  final(t('notice.invite_broken'), t('notice.invite_invalid'));

/** @type {NoticeRow} */
const humanCheck = () => notice(t('notice.human_title'), t('notice.human'));

/**
 * By the error the server sent before closing. An error code missing here
 * (`timeout`) falls through to its close code.
 * @type {Readonly<Record<string, NoticeRow>>}
 */
export const ERROR_NOTICES = Object.freeze({
  [Code.ROOM_FULL]: full,
  [Code.INVALID_ROOM]: invalid,
  [Code.PASSWORD_REQUIRED]: password('notice.password_required'),
  [Code.WRONG_PASSWORD]: password('notice.password_wrong'),
  [Code.PASSPHRASE_REQUIRED]: passphrase,
  [Code.TOO_MANY_ATTEMPTS]: () => notice(t('notice.attempts_title'), t('notice.attempts')),
  [Code.DENIED]: () => notice(t('notice.denied_title'), t('notice.denied')),
  [Code.REMOVED]: () =>
    notice(t('notice.removed_title'), t('notice.removed')),
  [Code.INVITE_EXPIRED]: expired,
  [Code.REPRESENTATIVES_ONLY]: representativesOnly,
  [Code.INVITE_WRONG_ROOM]: () =>
    final(t('notice.invite_broken'), t('notice.invite_wrong_room')),
  [Code.INVITE_INVALID]: badInvite,
  [Code.INVITE_ENDED]: () =>
    final(t('notice.invite_broken'), t('notice.invite_ended')),
  [Code.INVITE_REVOKED]: () => final(t('notice.invite_broken'), t('notice.invite_revoked')),
  [Code.LOBBY_FULL]: () =>
    notice(t('notice.lobby_full_title'), t('notice.lobby_full')),
  [Code.HUMAN_CHECK_REQUIRED]: humanCheck,
  [Code.HUMAN_CHECK_FAILED]: humanCheck,
  [Code.UNSUPPORTED_VERSION]: () =>
    notice(t('notice.outdated_title'), t('notice.outdated')),
  [Code.PROTOCOL_VIOLATION]: protocolError,
  [Code.FLOODING]: protocolError,
});

/**
 * By the close code, when no error above says more.
 * @type {Readonly<Record<number, NoticeRow>>}
 */
export const CLOSE_NOTICES = Object.freeze({
  [Close.NORMAL]: () =>
    notice(t('notice.closed_title'), t('notice.closed')),
  [Close.TOO_BIG]: protocolError,
  [Close.REPLACED]: () =>
    notice(t('notice.replaced_title'), t('notice.replaced')),
  [Close.HANDSHAKE_REFUSED]: protocolError,
  [Close.ROOM_FULL]: full,
  [Close.ENDED]: () =>
    final(t('notice.ended_title'), t('notice.ended')),
  [Close.PROTOCOL_VIOLATION]: protocolError,
  [Close.FLOODING]: protocolError,
});

/** What we say when neither table knows the reason (in the language of the moment). */
const disconnected = () => notice(t('notice.disconnected_title'), t('notice.disconnected'));

/**
 * What to show after a connection ended for good.
 * @param {Ended} ended @param {string} room
 * @param {string | null} [dialogue] the dialogue our invite names (urls.js, dialogueOfInvite)
 * @returns {Notice}
 */
export function noticeFor(ended, room, dialogue = null) {
  const code = ended.error?.code ?? '';
  const row = Object.hasOwn(ERROR_NOTICES, code) ? ERROR_NOTICES[code] : CLOSE_NOTICES[ended.code];
  return row ? row(room, dialogue) : disconnected();
}

/**
 * The small print under a notice, for whoever helps them: the close code and
 * the server's error code, if it sent one. The server's own message is in
 * English for developers and stays out of the way.
 * @param {Ended} ended
 * @returns {string}
 */
export function endedDetail(ended) {
  return t('notice.detail', { codes: `${ended.code}${ended.error ? ` ${ended.error.code}` : ''}` });
}
