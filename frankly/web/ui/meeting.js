// @ts-check
/**
 * The meeting screen (and the lobby's waiting screen): a Meeting holds the
 * Session on screen, and EVENTS says what the screen does on each of the
 * Session's events, one small function a row. The controls (mute, camera,
 * screen, hand, reactions, invites, a host's settings, leave) call Session
 * methods and nothing below it.
 */

import { onLanguage, t } from '../i18n.js';
import { Mixer } from '../mixer.js';
import { displayNames } from '../roster.js';
import { REACTIONS, Session } from '../session.js';
import { FATAL_ERROR_CODES } from '../signaling.js';
import { passphraseFrom, roomLink, signalingUrl } from '../urls.js';
import { Code, FLOOR, Role } from '../wire.js';
import {
  addCaptionLine,
  captionsUnavailable,
  initCaptions,
  renameCaptions,
  renderCaptions,
  startCaptions,
  stopCaptions,
} from './captions.js';
import { addChat, clearChat, chatEnded, initChat, openChatLog, renameChat } from './chat.js';
import { constraintsFor, describeMediaError, statusOf, videoQuality } from './devices.js';
import { confirmDialog } from './dialog.js';
import { announce, byId, clearToast, copyOrShow, h, labelMediaButton, show, showing, toast } from './dom.js';
import { initEncryption, renderE2ee, renderVerify } from './encryption.js';
import { loadHandSettings, startHands } from './hands.js';
import {
  DEFAULT_FLOOR_VOLUME,
  addBoothLine,
  initInterpretation,
  typedPair,
  renderInterpretation,
  startInterpretation,
  stopInterpretation,
} from './interpretation.js';
import { renderHost, renderInvites, renderPeople } from './people.js';
import { rememberRelay, renderRelay } from './relay.js';
import { initPanels, openPanel, togglePanel } from './panels.js';
import { mountLanguageSwitch } from './language.js';
import { watchQuality } from './quality.js';
import { applySpeaker, initSettings } from './settings.js';
import { SHORTCUTS, initShortcuts, openHelp } from './shortcuts.js';
import * as stage from './stage.js';
import * as tiles from './tiles.js';

/**
 * @typedef {import('../signaling.js').Participant} Participant
 * @typedef {import('../signaling.js').ConnectionState} ConnectionState
 * @typedef {import('../signaling.js').Ended} Ended
 * @typedef {import('../signaling.js').ErrorMessage} ErrorMessage
 * @typedef {import('../signaling.js').Welcome} Welcome
 * @typedef {import('../session.js').ChatMessage} ChatMessage
 * @typedef {import('./prejoin.js').JoinRequest} JoinRequest
 * @typedef {{ended: (e: Ended) => void, left: (rejoin: {mic: boolean, cam: boolean}) => void,
 *            lobbyLeft: () => void, rejoin: () => void}} MeetingHooks
 *   what app.js does when the meeting ends for good, after Leave, after
 *   leaving the lobby, and to join again at once (Rejoin now)
 * @typedef {import('./people.js').GuestInvite} GuestInvite
 */

/** One meeting on screen: its Session and what the screen keeps about it. */
class Meeting {
  /** @param {Session} session @param {string} room @param {string} name */
  constructor(session, room, name) {
    this.session = session;
    this.room = room;
    /** the name we joined with (our tile shows it before the welcome) */
    this.name = name;
    /** @type {ConnectionState[]} every connection state the session entered, in order */
    this.states = [];
    /** whether we are leaving on purpose (so the end is not a notice) */
    this.leaving = false;
    /** @type {Map<string, GuestInvite>} the guest invites this page made, by id */
    this.invites = new Map();
    /** What the page plays: the floor and a language channel, each at its volume. */
    this.mixer = new Mixer();
    /** @type {{chosen: boolean, possible: boolean, stale: boolean} | null} the last relay event (redrawn on a change of language) */
    this.relay = null;
  }

  /**
   * Play a remote stream's audio; offer "Turn on sound" if the browser holds it back.
   * @param {string} key @param {'floor' | 'channel'} kind @param {MediaStream} stream @param {string} id whose
   */
  play(key, kind, stream, id) {
    this.mixer.play(key, kind, stream);
    if (this.mixer.suspended) tiles.offerSound(id);
  }

  /**
   * The name each person here is shown by (namesakes get a tag).
   * @param {Participant[]} [also] people to count as here (one who just left)
   */
  names(also = []) {
    const s = this.session;
    return displayNames([...(s.you ? [s.you] : []), ...s.participants.values(), ...also]);
  }

  /** @param {string} id @param {string} [fallback] @returns {string} */
  shown(id, fallback = t('meeting.someone')) {
    return this.names().get(id) ?? this.session.participants.get(id)?.name ?? fallback;
  }
}

/** @type {Meeting | null} */
let meeting = null;
/** @type {MeetingHooks} */
let hooks = { ended: () => {}, left: () => {}, lobbyLeft: () => {}, rejoin: () => {} };

/** The Session on screen, or null. */
export function currentSession() {
  return meeting?.session ?? null;
}

/** What the meeting on screen plays (mixer.js), or null. */
export function currentMixer() {
  return meeting?.mixer ?? null;
}

/** Every connection state the session on screen entered, in order. */
export function connectionStates() {
  return meeting?.states ?? [];
}

/** @param {JoinRequest} opts */
export function startMeeting(opts) {
  const session = new Session({
    credentials: opts.credentials,
    passphrase: passphraseFrom(location.hash),
    url: signalingUrl(location),
    room: opts.room,
    name: opts.name,
    stream: opts.stream,
    audio: opts.audio,
    video: opts.video,
    videoConstraints: constraintsFor('video'),
    audioConstraints: constraintsFor('audio'),
    language: opts.language,
    relayOnly: opts.relayOnly,
    quality: videoQuality(),
  });
  if (meeting) meeting.mixer.close();
  const m = new Meeting(session, opts.room, opts.name);
  meeting = m;
  void applySpeaker(m.mixer);
  startInterpretation({ session, mixer: m.mixer, floorVolume: DEFAULT_FLOOR_VOLUME, shown: (id) => m.shown(id) });
  startCaptions({ session, names: () => m.names() });
  tiles.resetTiles(opts.name);
  stage.resetStage();
  byId('people').replaceChildren();
  clearChat();
  byId('meeting-room').textContent = opts.room;
  byId('meeting-room').title = opts.room; // whole, where a narrow screen cuts it short
  byId('left-room').textContent = opts.room;
  renderSelf(m);
  renderConn(m, 'connecting');
  renderAlone(m);
  renderE2ee(session);
  for (const [type, fn] of Object.entries(EVENTS)) {
    session.on(type, (detail) => {
      if (meeting === m) fn(m, detail); // a meeting left behind says nothing
    });
  }
  startHands(session, (id) => m.shown(id)); // after EVENTS: a newcomer's tile is there for its hand
  show('meeting');
  byId('btn-mic').focus();
  session.start();
}

/**
 * What the meeting screen does on each Session event (see Session's list).
 * @type {Record<string, (m: Meeting, detail: any) => void>}
 */
const EVENTS = {
  relay: (m, /** @type {{chosen: boolean, possible: boolean, stale: boolean}} */ e) => {
    m.relay = e;
    renderRelay(relayToggle(), byId('meeting-relay-hint'), e.possible, e.chosen, e.stale);
    byId('btn-relay-rejoin').hidden = !e.stale;
  },
  state: (m, /** @type {ConnectionState} */ state) => {
    m.states.push(state);
    renderConn(m, state);
  },
  'going-away': (m) => renderConn(m, m.session.state),
  lobby: (m, /** @type {{locked: boolean}} */ e) => {
    byId('lobby-room').textContent = m.room;
    byId('lobby-locked').hidden = !e.locked;
    show('lobby');
    announce(e.locked ? t('lobby.locked') : t('lobby.waiting'));
  },
  welcome: (m, /** @type {Welcome} */ msg) => {
    if (showing('lobby')) {
      show('meeting');
      announce(t('lobby.let_in'));
    }
    const self = tiles.selfTile();
    if (self) self.dataset.participantId = msg.you.id;
    openChatLog(msg.room, msg.meeting); // before the welcome's chat comes
    renderSelf(m);
    renderRoster(m);
    renderHost(m.session);
    renderInterpretation();
    announce(msg.resumed ? t('meeting.reconnected') : t('meeting.joined', { room: msg.room }));
  },
  'participant-added': (m, /** @type {Participant} */ p) => {
    // The captioner sends no media: the people list and the notice show it, not a tile.
    if (p.role !== Role.CAPTIONER) tiles.addTile(p.id, p.name);
    renderRoster(m);
    renderAlone(m);
    announce(t('meeting.someone_joined', { name: m.shown(p.id, p.name) }));
  },
  'participant-updated': (m, /** @type {Participant} */ p) => {
    tiles.renderTile(m.session, p);
    renderPeople(m.session, m.names());
    if (!p.screen) tiles.screenTileOf(p.id)?.remove();
  },
  'participant-removed': (m, /** @type {{id: string, reason: string, participant: Participant}} */ e) => {
    // Their shown name as it was, before the roster forgets them.
    const names = m.names([e.participant]);
    tiles.removeTiles(e.id);
    m.mixer.forget(e.id);
    renderRoster(m);
    renderAlone(m);
    if (e.reason !== 'rejoined') announce(leftWords(names.get(e.id) ?? e.participant.name, e.reason));
  },
  'remote-stream': (m, /** @type {{id: string, stream: MediaStream}} */ e) => {
    tiles.attachStream(e.id, e.stream);
    m.play(e.id, 'floor', e.stream, e.id);
  },
  'remote-channel': (m, /** @type {{id: string, stream: MediaStream}} */ e) => m.play(`${e.id}:channel`, 'channel', e.stream, e.id),
  interpretation: (m) => {
    renderInterpretation();
    tiles.renderInterpreters(m.session);
    renderPeople(m.session, m.names());
  },
  listening: (_m, /** @type {string} */ channel) => {
    renderInterpretation();
    announce(channel === FLOOR ? t('interp.hear_floor') : t('interp.hear_channel', { channel }));
  },
  interpreting: (_m, /** @type {boolean} */ on) => {
    renderInterpretation();
    if (on) toast(t('interp.now_interpreting'));
    else toast(t('interp.no_longer'));
  },
  'booth-chat': (_m, /** @type {{from: string, text: string, ts: number}} */ line) => addBoothLine(line, false),
  captions: (m) => {
    renderCaptions();
    renderPeople(m.session, m.names());
  },
  caption: (_m, /** @type {import('../captions.js').CaptionLine} */ line) => addCaptionLine(line),
  speaker: (_m, /** @type {string} */ id) => {
    tiles.markSpeaker(id);
    stage.speaking(id);
  },
  'peer-state': (m, /** @type {{id: string, state: RTCPeerConnectionState}} */ e) => {
    tiles.setPeerState(e.id, e.state);
    const p = m.session.participants.get(e.id);
    if (p) tiles.renderTile(m.session, p);
  },
  'local-media': (m) => {
    renderSelf(m);
    renderInterpretation();
  },
  'you-updated': (m) => {
    renderSelf(m);
    renderPeople(m.session, m.names());
    renderHost(m.session);
    renderCaptions();
  },
  knocks: (m, /** @type {{added?: {name: string}}} */ e) => {
    renderHost(m.session);
    renderSelf(m);
    if (e.added && m.session.you?.role === Role.HOST) {
      toast(t('knocks.waiting', { name: e.added.name }));
      announce(t('knocks.waiting', { name: e.added.name }));
    }
  },
  settings: (m) => {
    renderHost(m.session);
    renderSelf(m);
  },
  'invite-revoked': (m, /** @type {{id: string}} */ e) => {
    const invite = m.invites.get(e.id);
    if (!invite) return; // another host's
    invite.revoked = true;
    renderInvites(m.session, m.invites);
    announce(t('host.invite_revoked'));
  },
  moderated: (_m, /** @type {{action: string}} */ msg) => onModerated(msg),
  reaction: (m, /** @type {{from: string, emoji: string}} */ msg) => {
    const mine = msg.from === m.session.you?.id;
    tiles.floatReaction(mine ? tiles.selfTile() : tiles.tileOf(msg.from), msg.emoji);
    announce(mine ? t('meeting.you_reacted', { emoji: msg.emoji }) : t('meeting.reacted', { name: m.shown(msg.from), emoji: msg.emoji }));
  },
  'remote-screen': (m, /** @type {{id: string, stream: MediaStream}} */ e) => {
    tiles.attachScreen(e.id, e.stream, m.shown(e.id));
    m.play(`${e.id}:screen`, 'floor', e.stream, e.id);
  },
  encryption: (m) => {
    renderPeople(m.session, m.names());
    renderE2ee(m.session);
    renderVerify(m.session);
  },
  decrypting: (m, /** @type {{id: string, ok: boolean}} */ e) => {
    const p = m.session.participants.get(e.id);
    if (p) tiles.renderTile(m.session, p);
    renderPeople(m.session, m.names()); // "can't decrypt" rather than "exchanging keys…"
    renderE2ee(m.session);
  },
  'chat-reset': () => clearChat(),
  chat: (m, /** @type {{message: ChatMessage, history: boolean}} */ e) =>
    addChat(m.session, e.message, e.history, m.names().get(e.message.from) ?? e.message.name),
  error: (_m, /** @type {ErrorMessage} */ err) => {
    if (FATAL_ERROR_CODES.has(err.code)) return; // the close that follows says it
    if (err.code === Code.UNKNOWN_PEER) return; // a signal crossed a leave: harmless
    if (err.code === Code.DRAINING) return; // the server restarts: the banner says so, calmly
    if (err.code === Code.CAPTIONS_UNAVAILABLE) captionsUnavailable(err.message);
    else if (err.code === Code.RATE_LIMITED) toast(t('meeting.rate_limited'));
    else toast(INTERPRETATION_REFUSALS[err.code] ? t(INTERPRETATION_REFUSALS[err.code]) : t('meeting.refused', { message: err.message }));
  },
  ended: (m, /** @type {Ended} */ e) => {
    chatEnded(e.code);
    clearToast();
    m.session.stopLocal();
    m.mixer.close();
    stopInterpretation();
    stopCaptions();
    if (!m.leaving) hooks.ended(e);
  },
};

/** @type {Record<string, string>} the key of what each refusal of interpretation means to whoever asked */
const INTERPRETATION_REFUSALS = {
  [Code.BOOTH_NOT_READY]: 'interp.refused_not_ready',
  [Code.CHANNEL_BUSY]: 'interp.refused_busy',
  [Code.UNKNOWN_LANGUAGE]: 'interp.refused_unknown',
  [Code.GUEST_INTERPRETER]: 'interp.refused_guest',
  [Code.NOT_INTERPRETER]: 'interp.refused_not_interpreter',
};

/** @param {string} name @param {string} reason why they left (docs/protocol.md, `left`) */
function leftWords(name, reason) {
  if (reason === 'disconnected') return t('meeting.left_lost', { name });
  if (reason === 'removed') return t('meeting.left_removed', { name });
  return t('meeting.left', { name });
}

/**
 * Someone came or went: every tile, the people list and the chat show the
 * names as they must be told apart now.
 * @param {Meeting} m
 */
function renderRoster(m) {
  const names = m.names();
  for (const p of m.session.participants.values()) {
    const shown = names.get(p.id) ?? p.name;
    tiles.nameTile(tiles.tileOf(p.id), shown);
    tiles.nameTile(tiles.screenTileOf(p.id), tiles.screenName(shown));
    tiles.renderTile(m.session, p);
  }
  const you = m.session.you;
  tiles.nameTile(tiles.selfTile(), t('tile.you', { name: (you && names.get(you.id)) ?? m.name }));
  tiles.renderInterpreters(m.session);
  renderPeople(m.session, names);
  renameChat(names, you?.id);
  renameCaptions();
}

/** Our tile and the controls. @param {Meeting} m */
function renderSelf(m) {
  const session = m.session;
  tiles.renderSelfTile(session);
  const hasAudio = session.localStream.getAudioTracks().length > 0;
  const mic = /** @type {HTMLButtonElement} */ (byId('btn-mic'));
  labelMediaButton(mic, 'mic', !session.audio);
  mic.title = hasAudio ? '' : t('controls.no_mic');
  const cam = /** @type {HTMLButtonElement} */ (byId('btn-cam'));
  labelMediaButton(cam, 'cam', !session.video);
  const screen = byId('btn-screen');
  screen.setAttribute('aria-pressed', String(!!session.screen));
  /** @type {HTMLElement} */ (screen.querySelector('.label')).textContent = session.screen ? t('controls.stop_share') : t('controls.share');
  screen.hidden = session.you?.role === Role.GUEST || !navigator.mediaDevices?.getDisplayMedia;
  stage.presenting(!!session.screen);
  const up = typeof session.you?.hand === 'number';
  const hand = byId('btn-hand');
  hand.setAttribute('aria-pressed', String(up));
  /** @type {HTMLElement} */ (hand.querySelector('.label')).textContent = up ? t('controls.lower_hand') : t('controls.raise_hand');
}

/** @param {Meeting} m */
function renderAlone(m) {
  // The captioner is no company: alone with it, we still wait for others.
  byId('alone').hidden = [...m.session.participants.values()].some((p) => p.role !== Role.CAPTIONER);
}

/** What the top bar calls each connection state (the key of its words: conn.STATE). */

/** @param {Meeting} m @param {ConnectionState} state */
function renderConn(m, state) {
  byId('conn-state').dataset.state = state;
  byId('conn-text').textContent = t(`conn.${state}`);
  const banner = byId('conn-banner');
  let text = '';
  if (state === 'connecting') text = t('conn.banner_joining');
  else if (state === 'reconnecting') text = t('conn.banner_reconnecting');
  else if (state === 'restarting') text = t('conn.banner_restarting');
  else if (state === 'connected' && m.session.restarting) text = t('conn.banner_restart_soon');
  else if (state === 'offline' && !m.session.everJoined) text = t('conn.banner_unreachable', { host: location.host });
  else if (state === 'offline') text = t('conn.banner_offline');
  banner.textContent = text;
  banner.hidden = !text;
  banner.dataset.state = state;
}

/** The key of what we are told when a host acts on us. */
const MODERATED_WORDS = {
  mute: 'moderated.mute',
  'stop-video': 'moderated.stop_video',
  'stop-screen': 'moderated.stop_screen',
  'lower-hand': 'moderated.lower_hand',
  'make-host': 'moderated.make_host',
};

/** @param {{action: string}} msg what a host did to us */
function onModerated(msg) {
  const key = MODERATED_WORDS[/** @type {keyof typeof MODERATED_WORDS} */ (msg.action)];
  if (key) {
    const text = t(key);
    toast(text);
    announce(text);
  }
  if (msg.action === 'ask-unmute') {
    const dialog = /** @type {HTMLDialogElement} */ (byId('unmute-dialog'));
    if (!dialog.open) dialog.showModal();
  }
}

// --- controls ------------------------------------------------------------------------

/**
 * A control's click handler, run only while a meeting is on screen.
 * @param {string} id @param {(m: Meeting, ev: Event) => unknown} fn
 */
function control(id, fn) {
  byId(id).addEventListener('click', (ev) => {
    if (meeting) void fn(meeting, ev);
  });
}

/** @param {Meeting} m */
async function toggleMic(m) {
  try {
    await m.session.setMicrophone(!m.session.audio);
    announce(m.session.audio ? t('controls.mic_on_said') : t('controls.mic_muted_said'));
  } catch (err) {
    toast(t('controls.mic_failed', { why: describeMediaError(err) }));
  }
}

/** @param {Meeting} m */
async function toggleCam(m) {
  const button = /** @type {HTMLButtonElement} */ (byId('btn-cam'));
  button.disabled = true;
  try {
    await m.session.setCamera(!m.session.video);
    announce(m.session.video ? t('controls.cam_on_said') : t('controls.cam_off_said'));
  } catch (err) {
    toast(t('controls.cam_failed', { why: describeMediaError(err) }));
  } finally {
    button.disabled = false;
  }
}

/** @param {Meeting} m */
async function toggleScreen(m) {
  if (m.session.screen) {
    await m.session.shareScreen(null);
    announce(t('controls.share_stopped'));
    return;
  }
  let screen;
  try {
    screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
  } catch (err) {
    if (statusOf(err) !== 'denied') toast(t('controls.share_failed', { why: describeMediaError(err) }));
    return;
  }
  await m.session.shareScreen(screen);
  announce(t('controls.sharing'));
}

/** @param {Meeting} m */
function toggleHand(m) {
  if (!m.session.you) return;
  const up = typeof m.session.you.hand !== 'number';
  m.session.raiseHand(up);
  announce(up ? t('controls.hand_raised') : t('controls.hand_lowered'));
}

/** @param {Meeting} m */
async function copyGuestInvite(m) {
  try {
    const { token, id, exp } = await m.session.invite(Role.GUEST, 24 * 3600);
    m.invites.set(id, { id, exp, revoked: false });
    renderInvites(m.session, m.invites);
    const link = roomLink(location.origin, m.session.room, { invite: token, passphrase: passphraseFrom(location.hash) });
    await copyOrShow(link, t('host.guest_copied'));
  } catch {
    toast(t('host.invite_failed'));
  }
}

/** @param {Meeting} m @param {Event} ev */
async function copyInterpreterInvite(m, ev) {
  ev.preventDefault();
  const pair = typedPair(byId('interp-invite-a'), byId('interp-invite-b'));
  if (!pair) return;
  try {
    const { token } = await m.session.invite(Role.PARTICIPANT, 24 * 3600, pair);
    const link = roomLink(location.origin, m.session.room, { invite: token, passphrase: passphraseFrom(location.hash) });
    await copyOrShow(link, t('host.interp_copied', { a: pair[0], b: pair[1] }));
  } catch {
    toast(t('host.invite_failed'));
  }
}

/** @param {Meeting} m */
async function copyInvite(m) {
  // The passphrase travels in the fragment, which browsers never send to a server.
  const link = roomLink(location.origin, m.session.room, { passphrase: passphraseFrom(location.hash) });
  await copyOrShow(link, t('controls.invite_copied'), t('controls.invite_fallback'));
}

/** @param {Meeting} m */
async function leave(m) {
  m.leaving = true;
  clearToast();
  const s = m.session;
  // Rejoin comes back the way we left: muted stays muted, camera off stays off.
  const rejoin = {
    mic: s.audio || s.localStream.getAudioTracks().length === 0,
    cam: s.video || s.localStream.getVideoTracks().length === 0,
  };
  await s.leave();
  if (meeting === m) meeting = null;
  announce(t('left.title'));
  hooks.left(rejoin);
}

/** Leave and join again at once: every connection is made anew (hiding our address or not). @param {Meeting} m */
async function rejoin(m) {
  await leave(m);
  hooks.rejoin();
}

/** @param {Meeting} m */
async function leaveLobby(m) {
  m.leaving = true;
  clearToast();
  await m.session.leave();
  hooks.lobbyLeft();
}

/** The control each shortcut presses, so a key does exactly what its button does. */
const SHORTCUT_BUTTONS = { mic: 'btn-mic', camera: 'btn-cam', hand: 'btn-hand', share: 'btn-screen', leave: 'btn-leave' };

/** A keyboard shortcut (ui/shortcuts.js) on the meeting screen. @param {import('./shortcuts.js').Action} action */
function shortcut(action) {
  if (action === 'chat') {
    openPanel('chat');
    byId('chat-input').focus();
    return;
  }
  if (action === 'people') {
    togglePanel('people');
    return;
  }
  const id = SHORTCUT_BUTTONS[/** @type {keyof typeof SHORTCUT_BUTTONS} */ (action)];
  if (id) byId(id).click();
}

/** The page is going away: say leave, so others need not wait out the grace. */
export function leaveAtOnce() {
  meeting?.session.leaveNow();
}

/** The meeting's "Hide my address" checkbox. */
function relayToggle() {
  return /** @type {HTMLInputElement} */ (byId('meeting-relay'));
}

/**
 * Wire the meeting screen's controls (once, at start).
 * @param {MeetingHooks} given
 */

export function initMeeting(given) {
  hooks = given;
  tiles.onTileHeight((id, height) => meeting?.session.view(id, height));
  // Held-back sound comes out with any click or key on the page, or "Turn on sound".
  const resume = () => {
    if (meeting?.mixer.suspended) meeting.mixer.resume().then(tiles.soundOn, () => {});
  };
  tiles.onSoundButton(resume);
  document.addEventListener('pointerdown', resume);
  document.addEventListener('keydown', resume);
  initInterpretation();
  initCaptions();
  initChat(currentSession, currentMixer);
  initEncryption();
  initSettings(currentSession, currentMixer);
  watchQuality(currentSession, tiles.tileOf);
  void loadHandSettings();
  control('btn-mic', toggleMic);
  control('btn-cam', toggleCam);
  control('btn-screen', toggleScreen);
  control('btn-stop-presenting', toggleScreen);
  stage.initStage();
  control('btn-hand', toggleHand);
  for (const emoji of REACTIONS) {
    const button = h('button', { type: 'button', class: 'btn btn-small reaction-choice', 'data-testid': 'reaction-choice' }, emoji);
    button.setAttribute('aria-label', t('controls.react_with', { emoji }));
    button.dataset.emoji = emoji;
    byId('reactions').append(button);
    button.addEventListener('click', () => {
      meeting?.session.react(emoji);
      byId('react-menu').removeAttribute('open');
    });
  }
  relayToggle().addEventListener('change', () => {
    const on = relayToggle().checked;
    rememberRelay(on);
    meeting?.session.setRelayOnly(on); // its relay event redraws the control
  });
  byId('set-lobby').addEventListener('change', (ev) => {
    meeting?.session.setSettings({ lobby: /** @type {HTMLInputElement} */ (ev.target).checked });
  });
  byId('set-locked').addEventListener('change', (ev) => {
    meeting?.session.setSettings({ locked: /** @type {HTMLInputElement} */ (ev.target).checked });
  });
  byId('password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('set-password'));
    if (!input.value || !meeting) return;
    meeting.session.setSettings({ password: input.value });
    input.value = '';
    toast(t('host.password_saved'));
  });
  control('btn-clear-password', (m) => {
    m.session.setSettings({ password: null });
    toast(t('host.password_removed'));
  });
  control('btn-guest-invite', copyGuestInvite);
  byId('interp-invite-form').addEventListener('submit', (ev) => {
    if (meeting) void copyInterpreterInvite(meeting, ev);
    else ev.preventDefault();
  });
  control('btn-end', async (m) => {
    const sure = await confirmDialog({
      title: t('host.end_title'),
      body: t('host.end_body'),
      confirm: t('host.end_confirm'),
      cancel: t('host.end_cancel'),
      danger: true,
    });
    if (sure && meeting === m) m.session.endMeeting();
  });
  control('btn-lobby-leave', leaveLobby);
  control('btn-invite', copyInvite);
  control('btn-leave', leave);
  control('btn-relay-rejoin', rejoin);
  initPanels();
  initShortcuts(() => meeting !== null && showing('meeting'), shortcut);
  // Screen readers announce each control's key with its name.
  const keyed = { ...SHORTCUT_BUTTONS, chat: 'btn-chat', people: 'btn-people' };
  for (const s of SHORTCUTS) {
    const id = keyed[/** @type {keyof typeof keyed} */ (s.action)];
    if (id) byId(id).setAttribute('aria-keyshortcuts', s.keys);
  }
  byId('btn-help').addEventListener('click', openHelp);
  const unmute = /** @type {HTMLDialogElement} */ (byId('unmute-dialog'));
  byId('btn-unmute-yes').addEventListener('click', async () => {
    unmute.close();
    await meeting?.session.setMicrophone(true);
  });
  byId('btn-unmute-no').addEventListener('click', () => unmute.close());
  mountLanguageSwitch(byId('meeting-interface-language'));
  onLanguage(() => {
    for (const button of byId('reactions').querySelectorAll('button')) {
      button.setAttribute('aria-label', t('controls.react_with', { emoji: /** @type {HTMLElement} */ (button).dataset.emoji ?? '' }));
    }
    if (meeting) redraw(meeting);
  });
}

/**
 * The language changed: draw again every word the meeting screen wrote
 * itself (the fixed ones translatePage did). Chat and caption lines keep
 * what people wrote; only their labels change.
 * @param {Meeting} m
 */
function redraw(m) {
  const session = m.session;
  renderSelf(m);
  renderConn(m, session.state);
  renderRoster(m);
  renderHost(session);
  renderInvites(session, m.invites);
  renderE2ee(session);
  renderVerify(session);
  renderInterpretation();
  renderCaptions();
  if (m.relay) renderRelay(relayToggle(), byId('meeting-relay-hint'), m.relay.possible, m.relay.chosen, m.relay.stale);
}
