// @ts-check
/**
 * The Frankly web client's user interface. Everything about the protocol and
 * WebRTC lives in protocol.js; this file renders screens and calls Session.
 *
 * Screens (sections of index.html, one visible at a time):
 *   home      /        start a new meeting, or join one by name or link
 *   invalid   /BAD     the room name in the address breaks the rules
 *   prejoin   /ROOM    preview, devices, name, then Join
 *   meeting            tiles, controls, people, chat
 *   left               after Leave: rejoin or go home
 *   notice             the server refused or ended the meeting (room full, ...)
 *
 * Debug handle for tests and the browser console, kept small on purpose:
 *   window.frankly.session    the active Session (protocol.js), or null
 *   window.frankly.pcs()      {peerId: RTCPeerConnection} of the active session,
 *                             with 'sfu:publish' and 'sfu:subscribe' on the SFU
 *   window.frankly.stats(id)  Promise of inbound totals from that peer's
 *                             pc.getStats(): {video: {framesDecoded,
 *                             packetsReceived, bytesReceived},
 *                             audio: {packetsReceived, bytesReceived}} or null
 *   window.frankly.states     every connection state the session entered, in order
 */

import { humanCheckRequired, solveHumanCheck } from './humancheck.js';
import {
  FATAL_ERROR_CODES,
  MODERATION,
  REACTIONS,
  Session,
  e2eeSupported,
  isValidRoom,
  newRoomName,
  roomFromInput,
  signalingUrl,
} from './protocol.js';

/**
 * @typedef {import('./protocol.js').Participant} Participant
 * @typedef {import('./protocol.js').ChatMessage} ChatMessage
 * @typedef {import('./protocol.js').Ended} Ended
 * @typedef {import('./protocol.js').ErrorMessage} ErrorMessage
 * @typedef {import('./protocol.js').ConnectionState} ConnectionState
 * @typedef {'pending' | 'ok' | 'off' | 'denied' | 'absent' | 'busy' | 'unsupported' | 'error'} DeviceStatus
 */

const debug = {
  /** @type {Session | null} */
  session: null,
  /** @type {ConnectionState[]} */
  states: [],
  /** @returns {Record<string, RTCPeerConnection>} */
  pcs() {
    /** @type {Record<string, RTCPeerConnection>} */
    const out = {};
    for (const [id, link] of debug.session?.links ?? []) out[id] = link.pc;
    const sfu = debug.session?.sfu;
    if (sfu) {
      out['sfu:publish'] = sfu.publishPc;
      out['sfu:subscribe'] = sfu.subscribePc;
    }
    return out;
  },
  /** @param {string} peerId */
  stats(peerId) {
    return debug.session ? debug.session.inboundStats(peerId) : Promise.resolve(null);
  },
};
/** @type {any} */ (window).frankly = debug;

// --- small helpers ---------------------------------------------------------------

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return /** @type {T} */ (node);
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function h(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const SCREENS = ['home', 'invalid', 'prejoin', 'lobby', 'meeting', 'left', 'notice'];

/** @param {string} name */
function show(name) {
  for (const s of SCREENS) byId(`screen-${s}`).hidden = s !== name;
  document.body.dataset.screen = name;
  const heading = byId(`screen-${name}`).querySelector('h1');
  if (heading && name !== 'meeting') {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

/** Tell screen-reader users (the aria-live region) what happened. @param {string} text */
function announce(text) {
  const region = byId('announcer');
  region.append(h('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild?.remove();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/** @param {string} text */
function toast(text) {
  const node = byId('toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 4000);
}

/** @param {string} name @returns {string} */
function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => [...p][0]?.toUpperCase() ?? '').join('') || '?';
}

/** @param {number} ts @returns {string} */
function clock(ts) {
  return new Date(ts * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const store = {
  /** @param {string} key @returns {string} */
  get(key) {
    try {
      return localStorage.getItem(`frankly.${key}`) ?? '';
    } catch {
      return '';
    }
  },
  /** @param {string} key @param {string} value */
  set(key, value) {
    try {
      localStorage.setItem(`frankly.${key}`, value);
    } catch {
      /* private mode: nothing remembered */
    }
  },
};

// --- routing -----------------------------------------------------------------------

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
  if (isValidRoom(room)) showPrejoin(room);
  else showInvalid(room);
}

// --- home --------------------------------------------------------------------------

function showHome() {
  document.title = 'Frankly';
  show('home');
}

byId('btn-new').addEventListener('click', () => {
  const withSecret = /** @type {HTMLInputElement} */ (byId('new-passphrase')).checked;
  // 128 random bits, in the fragment: browsers never send it to a server.
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  location.assign(`/${newRoomName()}${withSecret ? `#passphrase=${secret}` : ''}`);
});

byId('join-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('join-input'));
  const error = byId('join-error');
  const room = roomFromInput(input.value, location.origin);
  if (!room) {
    error.textContent = input.value.trim()
      ? 'That is not a valid meeting name or link. Names use letters, digits, “-” and “_”.'
      : 'Enter a meeting name or paste a link.';
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  location.assign(`/${room}`);
});

// --- invalid room --------------------------------------------------------------------

/** @param {string} room */
function showInvalid(room) {
  document.title = 'Invalid room name · Frankly';
  const shown = room.length > 80 ? `${room.slice(0, 80)}…` : room;
  byId('invalid-text').textContent = `“${shown}” is not a valid meeting name.`;
  show('invalid');
}

// --- pre-join ------------------------------------------------------------------------

const pre = {
  room: '',
  /** the preview's tracks, handed to the Session on join */
  stream: new MediaStream(),
  mic: true,
  cam: true,
  /** @type {DeviceStatus} */ micStatus: 'pending',
  /** @type {DeviceStatus} */ camStatus: 'pending',
  /** settles when the preview has asked for the camera and microphone */
  ready: Promise.resolve(),
  receiveOnly: false,
};

const nameInput = /** @type {HTMLInputElement} */ (byId('name-input'));
const camSelect = /** @type {HTMLSelectElement} */ (byId('cam-select'));
const micSelect = /** @type {HTMLSelectElement} */ (byId('mic-select'));

/** @param {string} room @param {{autoJoin?: boolean}} [opts] */
async function showPrejoin(room, opts = {}) {
  pre.room = room;
  if (!e2eeSupported()) {
    showNotice(
      'This browser can’t join',
      'Every Frankly meeting is end-to-end encrypted, and this browser cannot encrypt video calls. ' +
        'Open the link in a current Chrome, Edge, Firefox or Safari.',
    );
    return;
  }
  document.title = `${room} · Frankly`;
  byId('prejoin-room').textContent = room;
  nameInput.value = nameInput.value || store.get('name');
  renderPreview();
  show('prejoin');
  if (!opts.autoJoin) nameInput.focus();
  pre.ready = startPreview();
  if (opts.autoJoin) await join(pre.receiveOnly);
}

/**
 * @param {unknown} err
 * @returns {DeviceStatus}
 */
function statusOf(err) {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'absent';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'error';
}

/**
 * @param {'audio' | 'video'} kind
 * @returns {MediaTrackConstraints | boolean}
 */
function constraintsFor(kind) {
  const id = store.get(kind === 'video' ? 'camera' : 'microphone');
  return id ? { deviceId: { ideal: id } } : true;
}

/**
 * Open one device. @param {'audio' | 'video'} kind
 * @returns {Promise<{track: MediaStreamTrack | null, status: DeviceStatus}>}
 */
async function openDevice(kind) {
  try {
    const s = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind) });
    return { track: s.getTracks()[0] ?? null, status: 'ok' };
  } catch (err) {
    return { track: null, status: statusOf(err) };
  }
}

function stopPreview() {
  for (const t of pre.stream.getTracks()) t.stop();
  pre.stream = new MediaStream();
}

async function startPreview() {
  stopPreview();
  pre.micStatus = pre.camStatus = 'pending';
  renderPreview();
  if (!navigator.mediaDevices?.getUserMedia) {
    pre.micStatus = pre.camStatus = 'unsupported';
    renderPreview();
    return;
  }
  const stream = new MediaStream();
  try {
    // One request, so one permission prompt for both.
    const s = await navigator.mediaDevices.getUserMedia({
      audio: constraintsFor('audio'),
      video: pre.cam ? constraintsFor('video') : false,
    });
    for (const t of s.getTracks()) stream.addTrack(t);
    pre.micStatus = 'ok';
    pre.camStatus = pre.cam ? 'ok' : 'off';
  } catch {
    // Find out which one is the trouble, and keep the other.
    const audio = await openDevice('audio');
    const video = pre.cam ? await openDevice('video') : { track: null, status: /** @type {DeviceStatus} */ ('off') };
    for (const t of [audio.track, video.track]) if (t) stream.addTrack(t);
    pre.micStatus = audio.status;
    pre.camStatus = video.status;
  }
  if (byId('screen-prejoin').hidden) {
    for (const t of stream.getTracks()) t.stop(); // left the page meanwhile
    return;
  }
  pre.stream = stream;
  for (const t of stream.getAudioTracks()) t.enabled = pre.mic;
  if (pre.camStatus !== 'ok' && pre.camStatus !== 'off') pre.cam = false;
  renderPreview();
  await fillDevices();
}

async function fillDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  /**
   * @param {HTMLSelectElement} select @param {MediaDeviceKind} kind
   * @param {MediaStreamTrack | undefined} track @param {string} what
   */
  const fill = (select, kind, track, what) => {
    const list = devices.filter((d) => d.kind === kind && d.deviceId);
    const current = track?.getSettings().deviceId ?? '';
    select.replaceChildren();
    list.forEach((d, i) => {
      const option = /** @type {HTMLOptionElement} */ (h('option', { value: d.deviceId }, d.label || `${what} ${i + 1}`));
      option.selected = d.deviceId === current;
      select.append(option);
    });
    if (!list.length) select.append(h('option', { value: '' }, `No ${what.toLowerCase()} found`));
    select.disabled = list.length === 0;
  };
  fill(camSelect, 'videoinput', pre.stream.getVideoTracks()[0], 'Camera');
  fill(micSelect, 'audioinput', pre.stream.getAudioTracks()[0], 'Microphone');
  // Blocked is blocked on every device: another choice would not help.
  if (pre.camStatus === 'denied') camSelect.disabled = true;
  if (pre.micStatus === 'denied') micSelect.disabled = true;
}

/**
 * @param {'audio' | 'video'} kind
 * @param {string} deviceId
 */
async function chooseDevice(kind, deviceId) {
  store.set(kind === 'video' ? 'camera' : 'microphone', deviceId);
  const old = kind === 'video' ? pre.stream.getVideoTracks()[0] : pre.stream.getAudioTracks()[0];
  if (!old && kind === 'video' && !pre.cam) return;
  old?.stop();
  if (old) pre.stream.removeTrack(old);
  const { track, status } = await openDevice(kind);
  if (track) {
    if (kind === 'audio') track.enabled = pre.mic;
    pre.stream.addTrack(track);
  }
  if (kind === 'video') pre.camStatus = status;
  else pre.micStatus = status;
  renderPreview();
}

camSelect.addEventListener('change', () => chooseDevice('video', camSelect.value));
micSelect.addEventListener('change', () => chooseDevice('audio', micSelect.value));

byId('pre-mic').addEventListener('click', () => {
  pre.mic = !pre.mic;
  for (const t of pre.stream.getAudioTracks()) t.enabled = pre.mic;
  renderPreview();
});

byId('pre-cam').addEventListener('click', async () => {
  pre.cam = !pre.cam;
  if (!pre.cam) {
    for (const t of pre.stream.getVideoTracks()) {
      t.stop();
      pre.stream.removeTrack(t);
    }
    pre.camStatus = 'off';
  } else {
    const { track, status } = await openDevice('video');
    if (track) pre.stream.addTrack(track);
    else pre.cam = false;
    pre.camStatus = status;
  }
  renderPreview();
});

byId('btn-retry-media').addEventListener('click', () => {
  pre.cam = true;
  pre.ready = startPreview();
});

nameInput.addEventListener('input', () => {
  byId('preview-initials').textContent = initials(nameInput.value);
  if (nameInput.value.trim()) {
    byId('name-error').hidden = true;
    nameInput.removeAttribute('aria-invalid');
  }
});

/** What is wrong with the camera and microphone, in words, or '' if nothing. */
function mediaProblem() {
  const { micStatus: mic, camStatus: cam } = pre;
  if (mic === 'pending' || cam === 'pending') return '';
  if (mic === 'unsupported') {
    return 'This browser can’t use a camera or microphone on this page (it needs a secure https:// address). You can still join to see and hear the others.';
  }
  /** @param {DeviceStatus} s */
  const why = (s) =>
    ({
      denied: 'permission was denied',
      absent: 'none was found',
      busy: 'it is in use by another app',
      error: 'it could not be started',
    })[/** @type {string} */ (s)] ?? '';
  const micBad = mic !== 'ok';
  const camBad = cam !== 'ok' && cam !== 'off';
  if (micBad && camBad) {
    const reason = mic === cam ? `: ${why(mic)}` : '';
    return `Frankly can’t use your camera or microphone${reason}. You can still join to see and hear the others (they won’t see or hear you).`;
  }
  if (camBad) return `Frankly can’t use your camera: ${why(cam)}. You can join with your microphone only.`;
  if (micBad) return `Frankly can’t use your microphone: ${why(mic)}. You can join with your camera only; others won’t hear you.`;
  return '';
}

function renderPreview() {
  const video = /** @type {HTMLVideoElement} */ (byId('preview-video'));
  const camTrack = pre.stream.getVideoTracks()[0];
  const micTrack = pre.stream.getAudioTracks()[0];
  // No empty streams on a <video>: one that waits for tracks delays the page's load event.
  const source = camTrack ? pre.stream : null;
  if (video.srcObject !== source) video.srcObject = source;
  byId('preview-tile').dataset.video = camTrack ? 'on' : 'off';
  byId('preview-initials').textContent = initials(nameInput.value);
  byId('preview-note').textContent =
    pre.camStatus === 'pending' ? 'Starting camera…' : camTrack ? '' : 'Camera is off';
  const micBtn = byId('pre-mic');
  micBtn.setAttribute('aria-pressed', String(!pre.mic || !micTrack));
  micBtn.setAttribute('aria-label', 'Mute microphone');
  /** @type {HTMLButtonElement} */ (micBtn).disabled = !micTrack;
  const camBtn = byId('pre-cam');
  camBtn.setAttribute('aria-pressed', String(!camTrack));
  camBtn.setAttribute('aria-label', 'Camera off');
  /** @type {HTMLButtonElement} */ (camBtn).disabled = pre.camStatus === 'pending';
  const problem = mediaProblem();
  const box = byId('media-problem');
  box.textContent = problem;
  box.hidden = !problem;
  const nothing = !micTrack && !camTrack;
  byId('btn-join-receive').hidden = !problem || nothing;
  byId('btn-retry-media').hidden = !problem || pre.micStatus === 'unsupported';
}

byId('prejoin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  join(false);
});
byId('btn-join-receive').addEventListener('click', () => join(true));

/** @param {boolean} receiveOnly */
async function join(receiveOnly) {
  const name = nameInput.value.trim();
  if (!name) {
    byId('name-error').hidden = false;
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
    return;
  }
  store.set('name', name);
  const button = /** @type {HTMLButtonElement} */ (byId('btn-join'));
  button.disabled = true;
  try {
    await pre.ready; // a click during the permission prompt joins with what it gives
  } finally {
    button.disabled = false;
  }
  if (byId('screen-prejoin').hidden) return;
  const credentials = await credentialsForJoin();
  if (!credentials) return;
  pre.receiveOnly = receiveOnly;
  let stream = pre.stream;
  pre.stream = new MediaStream(); // handed over to the meeting
  if (receiveOnly) {
    for (const t of stream.getTracks()) t.stop();
    stream = new MediaStream();
  }
  startMeeting({
    room: pre.room,
    name,
    stream,
    audio: pre.mic,
    video: stream.getVideoTracks().length > 0,
    credentials,
  });
}

/** This browser's id for the server to recognise a returning person by. */
function deviceId() {
  let id = store.get('device');
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    store.set('device', id);
  }
  return id;
}

/**
 * What this join shows the server: the invite in the link, the password
 * typed, a solved human check when the server asks for one. Null when the
 * human check could not be done (the reason is on screen).
 * @returns {Promise<import('./protocol.js').Credentials | null>}
 */
async function credentialsForJoin() {
  /** @type {import('./protocol.js').Credentials} */
  const out = { device: deviceId() };
  const invite = new URLSearchParams(location.search).get('invite');
  if (invite) out.invite = invite;
  const password = /** @type {HTMLInputElement} */ (byId('password-input')).value;
  if (password) out.password = password;
  if (invite || !(await humanCheckRequired())) return out;
  const status = byId('human-check');
  const button = /** @type {HTMLButtonElement} */ (byId('btn-join'));
  status.hidden = false;
  status.textContent = 'Checking that you are a person, not a bot… (about a second)';
  button.disabled = true;
  try {
    out.proof = await solveHumanCheck();
    status.hidden = true;
    return out;
  } catch (err) {
    status.textContent = `The human check failed: ${err instanceof Error ? err.message : err}. Try again.`;
    return null;
  } finally {
    button.disabled = false;
  }
}

// --- meeting -------------------------------------------------------------------------

const tiles = byId('tiles');
const people = byId('people');
const chatLog = byId('chat-log');
let leaving = false;

/**
 * @param {{room: string, name: string, stream: MediaStream, audio: boolean, video: boolean,
 *          credentials: import('./protocol.js').Credentials}} opts
 */
function startMeeting(opts) {
  const session = new Session({
    credentials: opts.credentials,
    passphrase: passphraseFromLink(),
    url: signalingUrl(location),
    room: opts.room,
    name: opts.name,
    stream: opts.stream,
    audio: opts.audio,
    video: opts.video,
    videoConstraints: constraintsFor('video'),
    audioConstraints: constraintsFor('audio'),
  });
  debug.session = session;
  debug.states = [];
  leaving = false;
  tiles.replaceChildren();
  people.replaceChildren();
  chatLog.replaceChildren();
  byId('meeting-room').textContent = opts.room;
  byId('left-room').textContent = opts.room;
  const self = makeTile('', `${opts.name}`, true);
  tiles.append(self);
  renderSelf(session);
  renderConn('connecting', session);
  renderAlone(session);
  renderE2ee(session);

  /** @param {string} type @param {(detail: any) => void} fn */
  const on = (type, fn) =>
    session.on(type, (detail) => {
      if (debug.session === session) fn(detail);
    });
  on('state', (/** @type {ConnectionState} */ state) => {
    debug.states.push(state);
    renderConn(state, session);
  });
  on('lobby', () => {
    byId('lobby-room').textContent = opts.room;
    show('lobby');
    announce('Waiting for a host to let you in.');
  });
  on('welcome', (/** @type {import('./protocol.js').Welcome} */ msg) => {
    if (!byId('screen-lobby').hidden) {
      show('meeting');
      announce('A host let you in.');
    }
    self.dataset.participantId = msg.you.id;
    renderSelf(session);
    renderPeople(session);
    renderHost(session);
    if (msg.resumed) announce('Reconnected to the meeting.');
    else announce(`You joined meeting ${msg.room}.`);
  });
  on('participant-added', (/** @type {Participant} */ p) => {
    tiles.append(makeTile(p.id, p.name, false));
    renderTile(p);
    renderPeople(session);
    renderAlone(session);
    announce(`${p.name} joined.`);
  });
  on('participant-updated', (/** @type {Participant} */ p) => {
    renderTile(p);
    renderPeople(session);
    if (!p.screen) screenTileOf(p.id)?.remove();
  });
  on('participant-removed', (/** @type {{id: string, reason: string, participant: Participant}} */ e) => {
    tileOf(e.id)?.remove();
    screenTileOf(e.id)?.remove();
    renderPeople(session);
    renderAlone(session);
    if (e.reason !== 'rejoined') {
      const name = e.participant.name;
      announce(
        e.reason === 'disconnected'
          ? `${name} lost connection and left.`
          : e.reason === 'removed'
            ? `${name} was removed by a host.`
            : `${name} left.`,
      );
    }
  });
  on('remote-stream', (/** @type {{id: string, stream: MediaStream}} */ e) => attachStream(e.id, e.stream));
  on('speaker', (/** @type {string} */ id) => {
    for (const tile of tiles.querySelectorAll('.tile')) {
      /** @type {HTMLElement} */ (tile).classList.toggle('speaking', /** @type {HTMLElement} */ (tile).dataset.participantId === id);
    }
  });
  on('peer-state', (/** @type {{id: string, state: RTCPeerConnectionState}} */ e) => {
    const tile = tileOf(e.id);
    if (tile) tile.dataset.peerState = e.state;
    const p = session.participants.get(e.id);
    if (p) renderTile(p);
  });
  on('local-media', () => renderSelf(session));
  on('you-updated', () => {
    renderSelf(session);
    renderPeople(session);
    renderHost(session);
  });
  on('knocks', (/** @type {{added?: {name: string}}} */ e) => {
    renderHost(session);
    if (e.added && session.you?.role === 'host') {
      toast(`${e.added.name} is waiting to join.`);
      announce(`${e.added.name} is waiting to join.`);
    }
  });
  on('settings', () => renderHost(session));
  on('moderated', (/** @type {{action: string}} */ m) => onModerated(m));
  on('reaction', (/** @type {{from: string, emoji: string}} */ m) => showReaction(session, m));
  on('remote-screen', (/** @type {{id: string, stream: MediaStream}} */ e) => attachScreen(session, e.id, e.stream));
  on('encryption', () => {
    renderPeople(session);
    renderE2ee(session);
    renderVerify(session);
  });
  on('decrypting', (/** @type {{id: string, ok: boolean}} */ e) => {
    const p = session.participants.get(e.id);
    if (p) renderTile(p);
    renderE2ee(session);
  });
  on('chat-reset', () => chatLog.replaceChildren());
  on('chat', (/** @type {{message: ChatMessage, history: boolean}} */ e) => addChat(session, e.message, e.history));
  on('error', (/** @type {ErrorMessage} */ err) => {
    if (FATAL_ERROR_CODES.has(err.code)) return; // the close that follows says it
    if (err.code === 'unknown-peer') return; // a signal crossed a leave: harmless
    if (err.code === 'rate-limited') toast('Slow down: the server dropped a message.');
    else toast(`The server refused a message: ${err.message}`);
  });
  on('ended', (/** @type {Ended} */ e) => {
    session.stopLocal();
    if (!leaving) showEnded(e);
  });

  show('meeting');
  byId('btn-mic').focus();
  session.start();
}

/**
 * On the SFU, each tile's height tells the server which simulcast layer to
 * send it: no more pixels than the tile shows.
 */
const tileSizes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const tile = /** @type {HTMLElement} */ (entry.target);
    const id = tile.dataset.participantId;
    if (id) debug.session?.view(id, entry.contentRect.height * window.devicePixelRatio);
  }
});

/** @param {string} id @returns {HTMLElement | null} */
function tileOf(id) {
  return tiles.querySelector(`.tile[data-participant-id="${CSS.escape(id)}"]:not([data-self])`);
}

/**
 * @param {string} id
 * @param {string} name
 * @param {boolean} self
 * @returns {HTMLElement}
 */
function makeTile(id, name, self) {
  const tile = h('article', { class: 'tile', 'data-testid': 'tile', 'data-participant-id': id });
  if (self) tile.dataset.self = 'true';
  const video = /** @type {HTMLVideoElement} */ (h('video', { 'data-testid': 'tile-video' }));
  video.autoplay = true;
  video.playsInline = true;
  video.muted = self; // never play ourselves back
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  avatar.append(h('span', { class: 'initials' }, initials(name)));
  const label = h('div', { class: 'tile-label' });
  label.append(
    h('span', { class: 'name', 'data-testid': 'tile-name' }, self ? `${name} (you)` : name),
    h('span', { class: 'badge mic-off', 'data-testid': 'tile-muted', role: 'img', 'aria-label': 'Microphone muted', title: 'Microphone muted' }),
    h('span', { class: 'sr-only cam-off', 'data-testid': 'tile-camera-off' }, 'Camera off'),
  );
  const status = h('p', { class: 'tile-status', 'data-testid': 'tile-status', hidden: '' });
  const sound = h('button', { type: 'button', class: 'btn btn-small tile-sound', hidden: '' }, 'Turn on sound');
  sound.addEventListener('click', () => {
    video.muted = false;
    video.play().catch(() => {});
    sound.hidden = true;
  });
  tile.append(video, avatar, label, status, sound);
  tile.setAttribute('aria-label', self ? `${name} (you)` : name);
  return tile;
}

/**
 * @param {string} id
 * @param {MediaStream} stream
 */
function attachStream(id, stream) {
  const tile = tileOf(id);
  const video = /** @type {HTMLVideoElement | null} */ (tile?.querySelector('video') ?? null);
  if (!tile || !video) return;
  if (video.srcObject !== stream) video.srcObject = stream;
  tileSizes.observe(tile);
  video.play().catch((err) => {
    if (err.name !== 'NotAllowedError') return; // interrupted by a newer load: fine
    // Autoplay with sound was refused: play muted and let the user turn sound on.
    video.muted = true;
    video.play().catch(() => {});
    const button = /** @type {HTMLElement | null} */ (tile.querySelector('.tile-sound'));
    if (button) button.hidden = false;
  });
}

/** @param {Participant} p */
function renderTile(p) {
  const tile = tileOf(p.id);
  if (!tile) return;
  tile.dataset.audio = p.audio ? 'on' : 'off';
  tile.dataset.video = p.video ? 'on' : 'off';
  tile.dataset.connected = String(p.connected);
  /** @type {HTMLElement} */ (tile.querySelector('.mic-off')).hidden = p.audio;
  /** @type {HTMLElement} */ (tile.querySelector('.cam-off')).hidden = p.video;
  const state = tile.dataset.peerState ?? 'new';
  const status = /** @type {HTMLElement} */ (tile.querySelector('.tile-status'));
  const sealed = debug.session?.e2ee.undecryptable(p.id) ?? false;
  tile.dataset.decrypting = String(!sealed);
  let text = '';
  if (sealed) {
    text = debug.session?.e2ee.passphrase
      ? 'Can’t decrypt: this person may have another passphrase'
      : 'Can’t decrypt this person’s media';
  } else if (!p.connected) text = 'Reconnecting…';
  else if (state === 'new' || state === 'connecting') text = 'Connecting…';
  else if (state === 'disconnected') text = 'Connection unstable…';
  else if (state === 'failed') text = 'Can’t connect media';
  status.textContent = text;
  status.hidden = !text;
}

/** @param {Session} session */
function renderSelf(session) {
  const tile = /** @type {HTMLElement | null} */ (tiles.querySelector('.tile[data-self]'));
  const hasAudio = session.localStream.getAudioTracks().length > 0;
  const hasVideo = session.localStream.getVideoTracks().length > 0;
  if (tile) {
    tile.dataset.audio = session.audio ? 'on' : 'off';
    tile.dataset.video = session.video && hasVideo ? 'on' : 'off';
    tile.dataset.connected = 'true';
    /** @type {HTMLElement} */ (tile.querySelector('.mic-off')).hidden = session.audio;
    /** @type {HTMLElement} */ (tile.querySelector('.cam-off')).hidden = session.video;
    const video = /** @type {HTMLVideoElement} */ (tile.querySelector('video'));
    // Re-attach so the element picks up a camera track that came back.
    video.srcObject = null;
    if (hasVideo) {
      video.srcObject = session.localStream;
      video.play().catch(() => {});
    }
  }
  const mic = /** @type {HTMLButtonElement} */ (byId('btn-mic'));
  mic.setAttribute('aria-pressed', String(!session.audio));
  mic.title = hasAudio ? '' : 'No microphone';
  const cam = /** @type {HTMLButtonElement} */ (byId('btn-cam'));
  cam.setAttribute('aria-pressed', String(!session.video));
  const screen = byId('btn-screen');
  screen.setAttribute('aria-pressed', String(!!session.screen));
  /** @type {HTMLElement} */ (screen.querySelector('.label')).textContent = session.screen ? 'Stop sharing' : 'Share screen';
  screen.hidden = session.you?.role === 'guest' || !navigator.mediaDevices?.getDisplayMedia;
  const up = typeof session.you?.hand === 'number';
  const hand = byId('btn-hand');
  hand.setAttribute('aria-pressed', String(up));
  /** @type {HTMLElement} */ (hand.querySelector('.label')).textContent = up ? 'Lower hand' : 'Raise hand';
}

/** @param {Session} session */
function renderPeople(session) {
  const list = [];
  if (session.you) list.push({ ...session.you, audio: session.audio, video: session.video, self: true });
  for (const p of session.participants.values()) list.push({ ...p, self: false });
  people.replaceChildren(
    ...list.map((p) => {
      const li = h('li', { 'data-participant-id': p.id });
      li.append(h('span', { class: 'person-name' }, p.self ? `${p.name} (you)` : p.name));
      if (p.role === 'host') li.append(h('span', { class: 'person-role', 'data-testid': 'person-role' }, 'host'));
      if (typeof p.hand === 'number') {
        const order = handOrder(session).indexOf(p.id) + 1;
        const hand = h('span', { class: 'person-hand', 'data-testid': 'person-hand' }, `✋ ${order}`);
        hand.setAttribute('aria-label', `Hand raised, number ${order}`);
        li.append(hand);
      }
      const states = [];
      if (!p.audio) states.push('muted');
      if (!p.video) states.push('camera off');
      if (p.screen) states.push('sharing screen');
      if (!p.connected) states.push('reconnecting');
      if (states.length) li.append(h('span', { class: 'person-state' }, states.join(', ')));
      if (!p.self) li.append(...personE2ee(session, p));
      if (!p.self && session.you?.role === 'host') li.append(manageMenu(session, p));
      return li;
    }),
  );
  byId('people-count').textContent = `(${list.length})`;
}

/**
 * Everyone with a hand up, in the order the hands went up.
 * @param {Session} session @returns {string[]}
 */
function handOrder(session) {
  const all = [...session.participants.values()];
  if (session.you) all.push(session.you);
  return all
    .filter((p) => typeof p.hand === 'number')
    .sort((a, b) => /** @type {number} */ (a.hand) - /** @type {number} */ (b.hand))
    .map((p) => p.id);
}

/** What each host action is called on its button. */
const ACTION_LABELS = {
  mute: 'Mute',
  'ask-unmute': 'Ask to unmute',
  'stop-video': 'Stop video',
  'stop-screen': 'Stop screen share',
  'lower-hand': 'Lower hand',
  'make-host': 'Make host',
  remove: 'Remove from meeting',
};

/**
 * A host's menu of actions on one person.
 * @param {Session} session @param {Participant} p @returns {HTMLElement}
 */
function manageMenu(session, p) {
  const menu = h('details', { class: 'menu person-manage', 'data-testid': 'manage' });
  const summary = h('summary', { class: 'btn btn-small' }, 'Manage');
  summary.setAttribute('aria-label', `Manage ${p.name}`);
  const items = h('div', { class: 'menu-items', role: 'group', 'aria-label': `Actions for ${p.name}` });
  for (const action of MODERATION) {
    if (action === 'lower-hand' && typeof p.hand !== 'number') continue;
    if (action === 'stop-screen' && !p.screen) continue;
    if (action === 'make-host' && p.role === 'host') continue;
    const label = ACTION_LABELS[/** @type {keyof typeof ACTION_LABELS} */ (action)];
    const item = h('button', { type: 'button', class: action === 'remove' ? 'btn btn-small btn-danger' : 'btn btn-small' }, label);
    item.addEventListener('click', () => {
      menu.removeAttribute('open');
      session.moderate(action, p.id);
      announce(`${label}: ${p.name}.`);
    });
    items.append(item);
  }
  menu.append(summary, items);
  return menu;
}

/**
 * The host's side panels: people knocking, and the room's settings.
 * @param {Session} session
 */
function renderHost(session) {
  const host = session.you?.role === 'host';
  byId('host-panel').hidden = !host;
  /** @type {HTMLInputElement} */ (byId('set-lobby')).checked = session.settings.lobby;
  /** @type {HTMLInputElement} */ (byId('set-locked')).checked = session.settings.locked;
  byId('btn-clear-password').hidden = !session.settings.password;
  const knocks = [...session.knocks.values()];
  byId('knocks-panel').hidden = !host || knocks.length === 0;
  byId('knocks-count').textContent = `(${knocks.length})`;
  byId('knocks').replaceChildren(
    ...knocks.map((k) => {
      const li = h('li', { 'data-knock-id': k.id, 'data-testid': 'knock' });
      li.append(h('span', { class: 'person-name' }, k.name));
      if (k.returning) li.append(h('span', { class: 'person-state' }, 'was removed or turned away'));
      const admit = h('button', { type: 'button', class: 'btn btn-small btn-primary' }, 'Admit');
      admit.setAttribute('aria-label', `Admit ${k.name}`);
      admit.addEventListener('click', () => session.admit(k.id));
      const deny = h('button', { type: 'button', class: 'btn btn-small' }, 'Deny');
      deny.setAttribute('aria-label', `Deny ${k.name}`);
      deny.addEventListener('click', () => session.deny(k.id));
      li.append(admit, deny);
      return li;
    }),
  );
  renderSelf(session);
}

/** @param {{action: string}} m what a host did to us */
function onModerated(m) {
  const words = {
    mute: 'A host muted your microphone.',
    'stop-video': 'A host turned your camera off.',
    'stop-screen': 'A host stopped your screen share.',
    'lower-hand': 'A host lowered your hand.',
    'make-host': 'You are now a host of this meeting.',
  };
  const text = words[/** @type {keyof typeof words} */ (m.action)];
  if (text) {
    toast(text);
    announce(text);
  }
  if (m.action === 'ask-unmute') {
    const dialog = /** @type {HTMLDialogElement} */ (byId('unmute-dialog'));
    if (!dialog.open) dialog.showModal();
  }
}

byId('btn-unmute-yes').addEventListener('click', async () => {
  /** @type {HTMLDialogElement} */ (byId('unmute-dialog')).close();
  await debug.session?.setMicrophone(true);
});
byId('btn-unmute-no').addEventListener('click', () => /** @type {HTMLDialogElement} */ (byId('unmute-dialog')).close());

/**
 * A reaction floats up from the reacting person's tile for a few seconds.
 * @param {Session} session @param {{from: string, emoji: string}} m
 */
function showReaction(session, m) {
  const mine = m.from === session.you?.id;
  const tile = mine ? tiles.querySelector('.tile[data-self]') : tileOf(m.from);
  const name = mine ? 'You' : (session.participants.get(m.from)?.name ?? 'Someone');
  if (tile) {
    const bubble = h('span', { class: 'reaction', 'data-testid': 'reaction', 'aria-hidden': 'true' }, m.emoji);
    tile.append(bubble);
    setTimeout(() => bubble.remove(), 4000);
  }
  announce(`${name} reacted ${m.emoji}`);
}

/** @param {string} id @returns {HTMLElement | null} */
function screenTileOf(id) {
  return tiles.querySelector(`.tile[data-screen-of="${CSS.escape(id)}"]`);
}

/**
 * A participant's screen share, in its own tile after theirs.
 * @param {Session} session @param {string} id @param {MediaStream} stream
 */
function attachScreen(session, id, stream) {
  let tile = screenTileOf(id);
  if (!tile) {
    const name = session.participants.get(id)?.name ?? 'Someone';
    tile = makeTile('', `${name}’s screen`, false);
    tile.classList.add('screen-tile');
    tile.dataset.screenOf = id;
    tile.dataset.video = 'on';
    tile.dataset.connected = 'true';
    tile.dataset.testid = 'screen-tile';
    const after = tileOf(id);
    if (after) after.after(tile);
    else tiles.append(tile);
  }
  const video = /** @type {HTMLVideoElement} */ (tile.querySelector('video'));
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {});
}

/**
 * A person's encryption state in the people list, and the button that
 * compares safety codes with them.
 * @param {Session} session @param {Participant} p @returns {HTMLElement[]}
 */
function personE2ee(session, p) {
  const e2ee = session.e2ee;
  const pair = e2ee.pairState(p.id);
  const verdict = e2ee.verdict(p.id);
  const state = pair === 'ready' ? verdict : pair;
  const words = {
    pending: 'exchanging keys…',
    ready: '',
    failed: 'key check failed',
    passphrase: 'passphrase',
    unverified: 'not verified',
    verified: 'verified',
    mismatch: 'codes did not match',
  };
  const out = [h('span', { class: 'person-e2ee', 'data-state': state, 'data-testid': 'person-e2ee' }, words[state])];
  if (pair === 'ready') {
    const button = h('button', { type: 'button', class: 'btn btn-small person-verify', 'data-testid': 'btn-verify' }, 'Verify');
    button.setAttribute('aria-label', `Compare safety codes with ${p.name}`);
    button.addEventListener('click', () => openVerify(session, p.id));
    out.push(button);
  }
  return out;
}

/**
 * The top bar's summary: encrypted always; verified by how many; a warning
 * when a key check failed or codes did not match.
 * @param {Session} session
 */
function renderE2ee(session) {
  const e2ee = session.e2ee;
  const ids = [...session.participants.keys()];
  const badge = byId('e2ee-state');
  let state = 'ok';
  let text = 'Encrypted';
  let detail = 'End-to-end encrypted: the server cannot see or hear this meeting.';
  const bad = ids.filter((id) => e2ee.pairState(id) === 'failed' || e2ee.verdict(id) === 'mismatch');
  const verified = ids.filter((id) => e2ee.verdict(id) === 'verified').length;
  if (bad.length) {
    state = 'warning';
    text = 'Keys don’t match';
    detail = 'Someone’s keys failed a check: the server may be listening in. Do not say anything sensitive.';
  } else if (e2ee.passphrase) {
    text = 'Encrypted · passphrase';
    detail = 'End-to-end encrypted with the passphrase in this meeting’s link. Anyone with the link can join and listen.';
  } else if (ids.length > 0) {
    text = verified === ids.length ? 'Encrypted · verified' : `Encrypted · ${verified} of ${ids.length} verified`;
    detail += ' Compare safety codes with each person (People, Verify) to be sure nobody is in between.';
  }
  badge.dataset.state = state;
  byId('e2ee-text').textContent = text;
  badge.title = detail;
  badge.setAttribute('aria-label', `${text}. ${detail}`);
}

/** The participant whose safety code the dialog shows. */
let verifying = '';
const verifyDialog = /** @type {HTMLDialogElement} */ (byId('verify-dialog'));

/** @param {Session} session @param {string} id */
async function openVerify(session, id) {
  verifying = id;
  const name = session.participants.get(id)?.name ?? 'them';
  byId('verify-title').textContent = `Compare safety codes with ${name}`;
  byId('verify-code').replaceChildren();
  renderVerify(session);
  if (!verifyDialog.open) verifyDialog.showModal();
  const code = await session.e2ee.safetyCode(id);
  if (verifying !== id || !code) return;
  byId('verify-code').replaceChildren(
    ...code.map(([emoji, word]) => {
      const li = h('li');
      li.append(h('span', { class: 'emoji', 'aria-hidden': 'true' }, emoji), h('span', {}, word));
      return li;
    }),
  );
}

/** @param {Session} session */
function renderVerify(session) {
  if (!verifying) return;
  const verdict = session.e2ee.verdict(verifying);
  const ready = session.e2ee.pairState(verifying) === 'ready';
  byId('verify-status').textContent = !ready
    ? 'Keys are not exchanged with this person.'
    : verdict === 'verified'
      ? 'You marked these codes as matching.'
      : verdict === 'mismatch'
        ? 'You said these codes differ: someone may be in between. Leave the meeting to be safe.'
        : '';
  /** @type {HTMLButtonElement} */ (byId('btn-verify-yes')).disabled = !ready;
  /** @type {HTMLButtonElement} */ (byId('btn-verify-no')).disabled = !ready;
}

/** @param {'verified' | 'mismatch'} verdict */
function verdictGiven(verdict) {
  const session = debug.session;
  if (!session || !verifying) return;
  session.e2ee.setVerdict(verifying, verdict);
  const name = session.participants.get(verifying)?.name ?? 'them';
  announce(verdict === 'verified' ? `Verified ${name}.` : `Warning: safety codes with ${name} differ.`);
  verifyDialog.close();
}

byId('btn-verify-yes').addEventListener('click', () => verdictGiven('verified'));
byId('btn-verify-no').addEventListener('click', () => verdictGiven('mismatch'));
byId('btn-verify-close').addEventListener('click', () => verifyDialog.close());
verifyDialog.addEventListener('close', () => {
  verifying = '';
});
byId('e2ee-state').addEventListener('click', () => {
  const badge = byId('e2ee-state');
  toast(badge.title);
});

/** The passphrase in this page's link (`#passphrase=...`), which no server ever sees. */
function passphraseFromLink() {
  return new URLSearchParams(location.hash.slice(1)).get('passphrase') || null;
}

/** @param {Session} session */
function renderAlone(session) {
  byId('alone').hidden = session.participants.size > 0;
}

/**
 * @param {ConnectionState} state
 * @param {Session} session
 */
function renderConn(state, session) {
  const everJoined = session.client.everJoined;
  const words = {
    idle: 'Not connected',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
    closed: 'Disconnected',
  };
  byId('conn-state').dataset.state = state;
  byId('conn-text').textContent = words[state];
  const banner = byId('conn-banner');
  let text = '';
  if (state === 'connecting') text = 'Joining the meeting…';
  else if (state === 'reconnecting') text = 'Connection to the server lost. Reconnecting… (calls in progress keep going)';
  else if (state === 'offline' && !everJoined) text = `Can’t reach the Frankly server at ${location.host}. Retrying…`;
  else if (state === 'offline') text = 'Offline: can’t reach the server. Still trying to reconnect…';
  banner.textContent = text;
  banner.hidden = !text;
  banner.dataset.state = state;
}

/**
 * @param {Session} session
 * @param {ChatMessage} m
 * @param {boolean} history
 */
function addChat(session, m, history) {
  const mine = m.from === session.you?.id;
  const li = h('li', { class: mine ? 'msg mine' : 'msg', 'data-chat-id': String(m.id), 'data-privacy': m.privacy });
  const meta = h('div', { class: 'msg-meta' });
  meta.append(h('span', { class: 'msg-name' }, mine ? 'You' : m.name), h('time', { datetime: new Date(m.ts * 1000).toISOString() }, clock(m.ts)));
  if (m.privacy === 'plain') meta.append(h('span', { class: 'msg-plain' }, 'not encrypted'));
  const text =
    m.privacy === 'unreadable'
      ? h('p', { class: 'msg-text msg-sealed' }, 'Sent before you joined: encrypted for those who were here.')
      : h('p', { class: 'msg-text' }, m.text);
  li.append(meta, text);
  const atBottom = chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;
  chatLog.append(li);
  if (atBottom || mine) chatLog.scrollTop = chatLog.scrollHeight;
  if (!history && !mine && m.privacy !== 'unreadable') announce(`${m.name} says: ${m.text}`);
}

byId('chat-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('chat-input'));
  const error = byId('chat-error');
  const session = debug.session;
  if (!session || !input.value.trim()) return;
  if (await session.chat(input.value)) {
    input.value = '';
    error.hidden = true;
  } else {
    error.textContent = 'Not connected: your message was not sent.';
    error.hidden = false;
  }
});

byId('btn-mic').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  try {
    await session.setMicrophone(!session.audio);
    announce(session.audio ? 'Microphone on.' : 'Microphone muted.');
  } catch (err) {
    toast(`Can’t use the microphone: ${describeMediaError(err)}.`);
  }
});

byId('btn-cam').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  const button = /** @type {HTMLButtonElement} */ (byId('btn-cam'));
  button.disabled = true;
  try {
    await session.setCamera(!session.video);
    announce(session.video ? 'Camera on.' : 'Camera off.');
  } catch (err) {
    toast(`Can’t use the camera: ${describeMediaError(err)}.`);
  } finally {
    button.disabled = false;
  }
});

/** @param {unknown} err @returns {string} */
function describeMediaError(err) {
  const s = statusOf(err);
  return (
    {
      denied: 'permission was denied',
      absent: 'none was found',
      busy: 'it is in use by another app',
    }[/** @type {string} */ (s)] ?? 'it could not be started'
  );
}

byId('btn-screen').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  if (session.screen) {
    await session.shareScreen(null);
    announce('You stopped sharing your screen.');
    return;
  }
  let screen;
  try {
    screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
  } catch (err) {
    if (statusOf(err) !== 'denied') toast(`Can’t share the screen: ${describeMediaError(err)}.`);
    return;
  }
  await session.shareScreen(screen);
  announce('You are sharing your screen.');
});

byId('btn-hand').addEventListener('click', () => {
  const session = debug.session;
  if (!session?.you) return;
  const up = typeof session.you.hand !== 'number';
  session.raiseHand(up);
  announce(up ? 'You raised your hand.' : 'You lowered your hand.');
});

for (const emoji of REACTIONS) {
  const button = h('button', { type: 'button', class: 'btn btn-small reaction-choice', 'data-testid': 'reaction-choice' }, emoji);
  button.setAttribute('aria-label', `React ${emoji}`);
  button.addEventListener('click', () => {
    debug.session?.react(emoji);
    byId('react-menu').removeAttribute('open');
  });
  byId('reactions').append(button);
}

byId('set-lobby').addEventListener('change', (ev) => {
  debug.session?.setSettings({ lobby: /** @type {HTMLInputElement} */ (ev.target).checked });
});
byId('set-locked').addEventListener('change', (ev) => {
  debug.session?.setSettings({ locked: /** @type {HTMLInputElement} */ (ev.target).checked });
});
byId('password-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('set-password'));
  if (!input.value) return;
  debug.session?.setSettings({ password: input.value });
  input.value = '';
  toast('Password set: newcomers need it to join.');
});
byId('btn-clear-password').addEventListener('click', () => {
  debug.session?.setSettings({ password: null });
  toast('Password removed.');
});
byId('btn-guest-invite').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  try {
    const { token } = await session.invite('guest', 24 * 3600);
    const secret = passphraseFromLink();
    const link = `${location.origin}/${session.room}?invite=${encodeURIComponent(token)}${secret ? `#passphrase=${encodeURIComponent(secret)}` : ''}`;
    await copyOrShow(link, 'Guest invite copied: valid for a day.');
  } catch {
    toast('Could not make an invite: not connected.');
  }
});
byId('btn-end').addEventListener('click', () => {
  if (confirm('End the meeting for everyone?')) debug.session?.endMeeting();
});
byId('btn-lobby-leave').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  leaving = true;
  await session.leave();
  showPrejoin(pre.room);
});

/** @param {string} text @param {string} done what to say once copied */
async function copyOrShow(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    toast(done);
  } catch {
    toast(`Copy this link: ${text}`);
  }
}

byId('btn-invite').addEventListener('click', async () => {
  const room = debug.session?.room ?? pre.room;
  const secret = passphraseFromLink();
  // The passphrase travels in the fragment, which browsers never send to a server.
  const link = `${location.origin}/${room}${secret ? `#passphrase=${encodeURIComponent(secret)}` : ''}`;
  try {
    await navigator.clipboard.writeText(link);
    toast('Invite link copied.');
  } catch {
    toast(`Copy this invite link: ${link}`);
  }
});

byId('btn-leave').addEventListener('click', async () => {
  const session = debug.session;
  if (!session) return;
  leaving = true;
  // Rejoin comes back the way we left: muted stays muted, camera off stays off.
  pre.mic = session.audio || session.localStream.getAudioTracks().length === 0;
  pre.cam = session.video || session.localStream.getVideoTracks().length === 0;
  await session.leave();
  debug.session = null;
  announce('You left the meeting.');
  show('left');
});

byId('btn-rejoin').addEventListener('click', () => {
  showPrejoin(pre.room, { autoJoin: true });
});

byId('btn-notice-retry').addEventListener('click', () => location.reload());

/**
 * Back to the pre-join screen with the password field, and why.
 * @param {string} why
 */
function askPassword(why) {
  showPrejoin(pre.room);
  byId('password-field').hidden = false;
  const error = byId('password-error');
  error.textContent = why;
  error.hidden = false;
  const input = /** @type {HTMLInputElement} */ (byId('password-input'));
  input.setAttribute('aria-invalid', 'true');
  input.value = '';
  input.focus();
}

/**
 * The notice screen: what happened, and optionally what the server said.
 * @param {string} title @param {string} text @param {string} [detail]
 */
function showNotice(title, text, detail) {
  byId('notice-title').textContent = title;
  byId('notice-text').textContent = text;
  const more = byId('notice-detail');
  more.textContent = detail ?? '';
  more.hidden = !detail;
  announce(`${title}. ${text}`);
  show('notice');
}

/** @param {Ended} e */
function showEnded(e) {
  const code = e.error?.code ?? '';
  let title = 'Disconnected';
  let text = 'The connection to the meeting ended.';
  if (code === 'room-full' || e.code === 4409) {
    title = 'This meeting is full';
    text = `Meeting “${pre.room}” already has as many people as it can hold. Try again later, or ask for another link.`;
  } else if (code === 'invalid-room') {
    showInvalid(pre.room);
    return;
  } else if (code === 'password-required' || code === 'wrong-password') {
    askPassword(code === 'wrong-password' ? 'That password is not right. Try again.' : 'This meeting needs a password.');
    return;
  } else if (code === 'too-many-attempts') {
    title = 'Too many wrong passwords';
    text = 'Wait a few minutes before trying again.';
  } else if (code === 'denied') {
    title = 'You were not let in';
    text = 'A host of this meeting turned down your request to join.';
  } else if (code === 'removed') {
    title = 'You were removed from the meeting';
    text = 'A host removed you. You can ask to join again; a host has to let you in.';
  } else if (e.code === 4410) {
    title = 'The meeting has ended';
    text = 'A host ended this meeting for everyone.';
  } else if (code.startsWith('invite-')) {
    title = 'This invite link does not work';
    text =
      code === 'invite-expired'
        ? 'The invite has expired. Ask for a new link.'
        : code === 'invite-wrong-room'
          ? 'The invite is for another meeting.'
          : 'The invite in this link is damaged or not from this server.';
  } else if (code.startsWith('human-check')) {
    title = 'The human check did not pass';
    text = 'Reload the page to try again.';
  } else if (code === 'unsupported-version') {
    title = 'This page is out of date';
    text = 'The server speaks a newer version of Frankly. Reload the page.';
  } else if (e.code === 4000) {
    title = 'Joined from somewhere else';
    text = 'You are in this meeting from another tab or window now, so this one stopped.';
  } else if (
    code === 'protocol-violation' ||
    code === 'flooding' ||
    e.code === 1009 ||
    e.code === 4422 ||
    e.code === 4429 ||
    e.code === 4400
  ) {
    title = 'Protocol error';
    text = 'The server closed the connection because this client sent messages it could not accept.';
  } else if (e.code === 1000) {
    title = 'You are no longer in the meeting';
    text = 'The server ended your connection.';
  }
  document.body.dataset.ended = code || String(e.code);
  const detail = e.error ? `Server said: ${e.error.message} (${e.error.code}, close code ${e.code})` : `Close code ${e.code}`;
  showNotice(title, text, detail);
}

// Closing the tab is leaving: others should not wait out the grace period.
window.addEventListener('pagehide', () => {
  debug.session?.client.send({ type: 'leave' });
});

route();
