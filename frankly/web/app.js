// @ts-check
/**
 * The Frankly web client's entry point: reads the page's address, wires the
 * screens (ui/) to each other, and says why a meeting ended. The protocol
 * and WebRTC live in the client library (protocol.js and the files it
 * names); the screens call Session and nothing below it.
 *
 * Screens (sections of index.html, one visible at a time):
 *   home      /        start a new meeting, or join one by name or link   ui/home.js
 *   invalid   /BAD     the room name in the address breaks the rules     ui/home.js
 *   prejoin   /ROOM    preview, devices, name, then Join                  ui/prejoin.js
 *   lobby              waiting for a host to let us in                    ui/meeting.js
 *   meeting            tiles, controls, people, chat                      ui/meeting.js
 *   left               after Leave: rejoin or go home
 *   notice             the server refused or ended the meeting            ui/notices.js
 *
 * Debug handle for tests and the browser console, kept small on purpose
 * (the UI itself never reads it):
 *   window.frankly.session    the active Session (session.js), or null
 *   window.frankly.pcs()      {peerId: RTCPeerConnection} of the active session,
 *                             with 'sfu:publish' and 'sfu:subscribe' on the SFU
 *   window.frankly.stats(id)  Promise of inbound totals from that peer's
 *                             pc.getStats(): {video: {framesDecoded,
 *                             packetsReceived, bytesReceived},
 *                             audio: {packetsReceived, bytesReceived}} or null
 *   window.frankly.states     every connection state the session entered, in order
 *   window.frankly.levels()   what the page plays now, by stream: {key: {kind,
 *                             before, after}}, the RMS level of each voice
 *                             before and after its gain (mixer.js)
 */

import { onLanguage } from './i18n.js';
import { dialogueOfInvite, isValidRoom, withoutSecrets } from './urls.js';
import { announce, byId, show, showing } from './ui/dom.js';
import { initLanguage } from './ui/language.js';
import { initHome, showHome, showInvalid } from './ui/home.js';
import { connectionStates, currentMixer, currentSession, initMeeting, leaveAtOnce, startMeeting } from './ui/meeting.js';
import { endedDetail, noticeFor } from './ui/notices.js';
import { askPassphrase, askPassword, initPrejoin, prejoinRoom, rememberMedia, showPrejoin } from './ui/prejoin.js';

/** @typedef {import('./signaling.js').Ended} Ended */

const debug = {
  get session() {
    return currentSession();
  },
  get states() {
    return connectionStates();
  },
  /** @returns {Record<string, RTCPeerConnection>} */
  pcs() {
    return currentSession()?.peerConnections() ?? {};
  },
  levels() {
    return currentMixer()?.levels() ?? {};
  },
  /** @param {string} peerId */
  stats(peerId) {
    return currentSession()?.inboundStats(peerId) ?? Promise.resolve(null);
  },
};
/** @type {any} */ (window).frankly = debug;

/** Where this tab keeps the invite of the link it was opened with. */
const INVITE_KEY = 'frankly.invite';

/**
 * The invite of the link this page was opened with. It is taken out of the
 * address bar and history at once, so it reaches no log, no Referer, no
 * shared screen; the tab keeps it (sessionStorage) for a reload or Try
 * again, and forgets it when closed.
 * @returns {string | null}
 */
function takeInvite() {
  const { secrets, href } = withoutSecrets(location.href);
  if (href !== location.href) history.replaceState(history.state, '', href);
  const key = `${INVITE_KEY}${location.pathname}`;
  try {
    if (secrets.invite) sessionStorage.setItem(key, secrets.invite);
    return secrets.invite ?? sessionStorage.getItem(key);
  } catch {
    return secrets.invite ?? null; // storage refused: this page load only
  }
}

/**
 * The notice screen: what happened, optionally the codes for support, and
 * where to go on from here. "Try again" only where it can help (`again`);
 * without it, "Back to home" is the way on.
 * @param {string} title @param {string} text
 * @param {{detail?: string, link?: {href: string, text: string}, again?: boolean}} [more]
 */
function showNotice(title, text, { detail, link, again = false } = {}) {
  byId('notice-title').textContent = title;
  byId('notice-text').textContent = text;
  const details = byId('notice-detail');
  details.textContent = detail ?? '';
  details.hidden = !detail;
  byId('btn-notice-retry').hidden = !again;
  byId('notice-home').classList.toggle('btn-primary', !again && !link);
  const onward = /** @type {HTMLAnchorElement} */ (byId('notice-link'));
  onward.textContent = link?.text ?? '';
  onward.href = link?.href ?? '/';
  onward.hidden = !link;
  announce(`${title}. ${text}`);
  show('notice');
}

/** The invite of the link we came by: it lets us in, and may name a dialogue. */
const invite = takeInvite();

/** @type {Ended | null} why the meeting ended, for the notice screen to say again in another language */
let lastEnded = null;

/** The meeting ended for good: say why (ui/notices.js), or ask again. @param {Ended} e */
function showEnded(e) {
  lastEnded = e;
  const notice = noticeFor(e, prejoinRoom(), dialogueOfInvite(invite));
  if (notice.screen === 'invalid') {
    showInvalid(prejoinRoom());
    return;
  }
  if (notice.screen === 'password') {
    askPassword(notice.why);
    return;
  }
  if (notice.screen === 'passphrase') {
    askPassphrase();
    return;
  }
  document.body.dataset.ended = e.error?.code || String(e.code);
  showNotice(notice.title, notice.text, { detail: endedDetail(e), link: notice.link, again: notice.again });
}

function route() {
  const raw = location.pathname.replace(/^\/+|\/+$/g, '');
  if (!raw) {
    showHome();
    return;
  }
  let room = raw;
  try {
    room = decodeURIComponent(raw);
  } catch {
    /* keep it raw: it is invalid anyway */
  }
  if (isValidRoom(room)) void showPrejoin(room);
  else showInvalid(room);
}

initLanguage(); // first: every screen draws its words in it
onLanguage(() => {
  if (lastEnded && showing('notice')) showEnded(lastEnded);
});
initHome();
initPrejoin({ invite, onJoin: startMeeting, onCannot: (title, text) => showNotice(title, text) });
initMeeting({
  ended: showEnded,
  left: ({ mic, cam }) => {
    rememberMedia(mic, cam);
    show('left');
  },
  lobbyLeft: () => void showPrejoin(prejoinRoom()),
  rejoin: () => void showPrejoin(prejoinRoom(), { autoJoin: true }),
});
byId('btn-rejoin').addEventListener('click', () => showPrejoin(prejoinRoom(), { autoJoin: true }));
byId('btn-notice-retry').addEventListener('click', () => location.reload());
// Closing the tab is leaving: others should not wait out the grace period.
window.addEventListener('pagehide', leaveAtOnce);

route();
