// @ts-check
/**
 * The pre-join screen (`/ROOM`): a preview of the camera, device pickers,
 * mute and camera toggles, the name, a password when the room asks for one,
 * the human check when the server asks for it, whether to hide one's address
 * (ui/relay.js); then Join hands the preview's tracks and the credentials to
 * whoever starts the meeting (app.js).
 */

import { humanCheckRequired, solveHumanCheck } from '../humancheck.js';
import { onLanguage, t } from '../i18n.js';
import { e2eeSupported } from '../e2ee/keys.js';
import { byId, h, initials, labelMediaButton, randomHex, show, showing, store } from './dom.js';
import { constraintsFor, mediaProblem, openDevice, rememberDevice } from './devices.js';
import { inviteClaims, passphraseFrom } from '../urls.js';
import { languagePicker, rememberedLanguage } from './captions.js';
import { meterKeeper } from './meter.js';
import { relayOffer, rememberRelay, rememberedRelay, renderRelay } from './relay.js';
import { backgroundTrack, setBackgroundOwner } from '../background.js';
import { mountBackgroundControls } from './background.js';
import { mountLanguageSwitch } from './language.js';

/**
 * @typedef {import('../signaling.js').Credentials} Credentials
 * @typedef {import('./devices.js').DeviceStatus} DeviceStatus
 * @typedef {{room: string, name: string, stream: MediaStream, audio: boolean, video: boolean,
 *            credentials: Credentials, language: string, relayOnly: boolean | null}} JoinRequest
 *   `language`: the language we speak, for live captions; `relayOnly`: hide our
 *   address (null: as the server's default)
 */

const pre = {
  room: '',
  /** the preview's tracks, handed to the meeting on join */
  stream: new MediaStream(),
  mic: true,
  cam: true,
  /** @type {DeviceStatus} */ micStatus: 'pending',
  /** @type {DeviceStatus} */ camStatus: 'pending',
  /** settles when the preview has asked for the camera and microphone */
  ready: Promise.resolve(),
  receiveOnly: false,
  /** @type {import('./relay.js').RelayOffer} whether the server can hide our address, and does by default */
  relay: { turn: false, relay_only: false },
  /** @type {string | null} the invite of the link we came by (no longer in the address) */
  invite: null,
  /** @type {(req: JoinRequest) => void} */
  onJoin: () => {},
  /** @type {(title: string, text: string) => void} */
  onCannot: () => {},
};

const nameInput = /** @type {HTMLInputElement} */ (byId('name-input'));
const camSelect = /** @type {HTMLSelectElement} */ (byId('cam-select'));
const micSelect = /** @type {HTMLSelectElement} */ (byId('mic-select'));
const relayBox = /** @type {HTMLInputElement} */ (byId('pre-relay'));
const languageOther = /** @type {HTMLInputElement} */ (byId('pre-language-other'));
/** The microphone level under the microphone picker: it follows the preview's track. */
const preMeter = meterKeeper(byId('pre-meter'));
const language = languagePicker(/** @type {HTMLSelectElement} */ (byId('pre-language')), languageOther, rememberedLanguage());

/** The room of this page. */
export function prejoinRoom() {
  return pre.room;
}

/**
 * Start the next join muted or with the camera off, as the last meeting was left.
 * @param {boolean} mic @param {boolean} cam
 */
export function rememberMedia(mic, cam) {
  pre.mic = mic;
  pre.cam = cam;
}

/** @param {string} room @param {{autoJoin?: boolean}} [opts] */
export async function showPrejoin(room, opts = {}) {
  pre.room = room;
  if (!e2eeSupported()) {
    pre.onCannot(t('prejoin.unsupported_title'), t('prejoin.unsupported'));
    return;
  }
  document.title = t('prejoin.page_title', { room });
  byId('prejoin-room').textContent = room;
  nameInput.value = nameInput.value || store.get('name');
  showInvitedName();
  renderPreview();
  show('prejoin');
  if (!opts.autoJoin) nameInput.focus();
  pre.ready = startPreview();
  await showRelay();
  if (opts.autoJoin) await join(pre.receiveOnly);
}

/** Ask the server whether it can hide our address, then show the choice. */
async function showRelay() {
  relayBox.disabled = true; // until we know
  pre.relay = await relayOffer();
  renderRelay(relayBox, byId('pre-relay-hint'), pre.relay.turn, rememberedRelay() ?? pre.relay.relay_only);
}

/**
 * An invite that names its holder (a dialogue meeting's does: the member's
 * name and side) decides the name the room shows, so the field says so and
 * takes no other.
 */
function showInvitedName() {
  const { name, side } = inviteClaims(pre.invite);
  if (!name) return;
  nameInput.value = name;
  nameInput.readOnly = true;
  const note = byId('name-invited');
  note.textContent = side ? t('prejoin.invited_side', { name, side }) : t('prejoin.invited', { name });
  note.hidden = false;
  nameInput.setAttribute('aria-describedby', 'name-invited name-error');
}

/**
 * Back to the pre-join screen with the password field, and why.
 * @param {string} why
 */
export function askPassword(why) {
  void showPrejoin(pre.room);
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
 * Back to the pre-join screen with the passphrase field: the room's hosts hold
 * a passphrase and this link carries none (the server knows only that).
 */
export function askPassphrase() {
  void showPrejoin(pre.room);
  byId('passphrase-field').hidden = false;
  const input = /** @type {HTMLInputElement} */ (byId('passphrase-input'));
  input.setAttribute('aria-invalid', 'true');
  input.value = '';
  input.focus();
}

/**
 * A passphrase typed on the pre-join screen goes where a link carries it, the
 * address's fragment, which browsers never send to a server; the meeting
 * takes its keys from there.
 */
function takeTypedPassphrase() {
  const typed = /** @type {HTMLInputElement} */ (byId('passphrase-input')).value;
  if (typed) history.replaceState(null, '', `#${new URLSearchParams({ passphrase: typed })}`);
}

function stopPreview() {
  for (const t of pre.stream.getTracks()) t.stop();
  pre.stream = new MediaStream();
}

async function startPreview() {
  stopPreview();
  setBackgroundOwner(swapPreviewCamera);
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
    for (const t of s.getTracks()) stream.addTrack(t.kind === 'video' ? backgroundTrack(t) : t);
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
  if (!showing('prejoin')) {
    for (const t of stream.getTracks()) t.stop(); // left the page meanwhile
    return;
  }
  pre.stream = stream;
  for (const t of stream.getAudioTracks()) t.enabled = pre.mic;
  if (pre.camStatus !== 'ok' && pre.camStatus !== 'off') pre.cam = false;
  renderPreview();
  await fillDevices();
}

/**
 * A background effect went on or off: the preview shows its track (background.js).
 * @param {MediaStreamTrack} old @param {MediaStreamTrack} now
 */
function swapPreviewCamera(old, now) {
  if (!pre.stream.getTracks().includes(old)) return;
  pre.stream = new MediaStream(pre.stream.getTracks().map((t) => (t === old ? now : t)));
  renderPreview();
}

async function fillDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  /**
   * @param {HTMLSelectElement} select @param {MediaDeviceKind} kind
   * @param {MediaStreamTrack | undefined} track @param {string} what the key of the device's kind
   */
  const fill = (select, kind, track, what) => {
    const list = devices.filter((d) => d.kind === kind && d.deviceId);
    const current = track?.getSettings().deviceId ?? '';
    select.replaceChildren();
    list.forEach((d, i) => {
      const option = /** @type {HTMLOptionElement} */ (h('option', { value: d.deviceId }, d.label || `${t(what)} ${i + 1}`));
      option.selected = d.deviceId === current;
      select.append(option);
    });
    if (!list.length) select.append(h('option', { value: '' }, t(`${what}_none`)));
    select.disabled = list.length === 0;
  };
  fill(camSelect, 'videoinput', pre.stream.getVideoTracks()[0], 'devices.camera');
  fill(micSelect, 'audioinput', pre.stream.getAudioTracks()[0], 'devices.microphone');
  // Blocked is blocked on every device: another choice would not help.
  if (pre.camStatus === 'denied') camSelect.disabled = true;
  if (pre.micStatus === 'denied') micSelect.disabled = true;
}

/**
 * @param {'audio' | 'video'} kind
 * @param {string} deviceId
 */
async function chooseDevice(kind, deviceId) {
  rememberDevice(kind, deviceId);
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

function toggleMic() {
  pre.mic = !pre.mic;
  for (const t of pre.stream.getAudioTracks()) t.enabled = pre.mic;
  renderPreview();
}

async function toggleCam() {
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
}

function renderPreview() {
  const video = /** @type {HTMLVideoElement} */ (byId('preview-video'));
  const camTrack = pre.stream.getVideoTracks()[0];
  const micTrack = pre.stream.getAudioTracks()[0];
  preMeter(micTrack);
  // No empty streams on a <video>: one that waits for tracks delays the page's load event.
  const source = camTrack ? pre.stream : null;
  if (video.srcObject !== source) video.srcObject = source;
  byId('preview-tile').dataset.video = camTrack ? 'on' : 'off';
  byId('preview-initials').textContent = initials(nameInput.value);
  byId('preview-note').textContent =
    pre.camStatus === 'pending' ? t('prejoin.camera_starting') : camTrack ? '' : t('prejoin.camera_off');
  const micBtn = byId('pre-mic');
  labelMediaButton(micBtn, 'mic', !pre.mic || !micTrack);
  /** @type {HTMLButtonElement} */ (micBtn).disabled = !micTrack;
  const camBtn = byId('pre-cam');
  labelMediaButton(camBtn, 'cam', !camTrack);
  /** @type {HTMLButtonElement} */ (camBtn).disabled = pre.camStatus === 'pending';
  const problem = mediaProblem(pre.micStatus, pre.camStatus);
  const box = byId('media-problem');
  box.textContent = problem;
  box.hidden = !problem;
  const nothing = !micTrack && !camTrack;
  byId('btn-join-receive').hidden = !problem || nothing;
  byId('btn-retry-media').hidden = !problem || pre.micStatus === 'unsupported';
}

/** @param {boolean} receiveOnly */
async function join(receiveOnly) {
  const name = nameInput.value.trim();
  if (!name) {
    byId('name-error').hidden = false;
    nameInput.setAttribute('aria-invalid', 'true');
    nameInput.focus();
    return;
  }
  const spoken = language.value();
  if (!spoken) {
    byId('pre-language-error').hidden = false;
    languageOther.setAttribute('aria-invalid', 'true');
    languageOther.focus();
    return;
  }
  byId('pre-language-error').hidden = true;
  languageOther.removeAttribute('aria-invalid');
  store.set('name', name);
  store.set('language', spoken);
  const button = /** @type {HTMLButtonElement} */ (byId('btn-join'));
  button.disabled = true;
  try {
    await pre.ready; // a click during the permission prompt joins with what it gives
  } finally {
    button.disabled = false;
  }
  if (!showing('prejoin')) return;
  takeTypedPassphrase();
  const credentials = await credentialsForJoin();
  if (!credentials) return;
  pre.receiveOnly = receiveOnly;
  let stream = pre.stream;
  pre.stream = new MediaStream(); // handed over to the meeting
  preMeter(null);
  if (receiveOnly) {
    for (const t of stream.getTracks()) t.stop();
    stream = new MediaStream();
  }
  pre.onJoin({
    room: pre.room,
    name,
    stream,
    audio: pre.mic,
    video: stream.getVideoTracks().length > 0,
    credentials,
    language: spoken,
    // Unchosen, the server's default holds (it may be relay-only).
    relayOnly: pre.relay.turn ? rememberedRelay() : null,
  });
}

/** This browser's id for the server to recognise a returning person by. */
function deviceId() {
  let id = store.get('device');
  if (!id) {
    id = randomHex(16);
    store.set('device', id);
  }
  return id;
}

/**
 * What this join shows the server: the invite of the link, the password
 * typed, a solved human check when the server asks for one. Null when the
 * human check could not be done (the reason is on screen).
 * @returns {Promise<Credentials | null>}
 */
async function credentialsForJoin() {
  /** @type {Credentials} */
  const out = { device: deviceId() };
  const invite = pre.invite;
  if (invite) out.invite = invite;
  const password = /** @type {HTMLInputElement} */ (byId('password-input')).value;
  if (password) out.password = password;
  if (passphraseFrom(location.hash)) out.passphrase = true;
  if (invite || !(await humanCheckRequired())) return out;
  const status = byId('human-check');
  const button = /** @type {HTMLButtonElement} */ (byId('btn-join'));
  status.hidden = false;
  status.textContent = t('prejoin.human_checking');
  button.disabled = true;
  try {
    out.proof = await solveHumanCheck();
    status.hidden = true;
    return out;
  } catch (err) {
    status.textContent = t('prejoin.human_failed', { why: err instanceof Error ? err.message : String(err) });
    return null;
  } finally {
    button.disabled = false;
  }
}

/**
 * Wire the pre-join screen (once, at start).
 * @param {{invite: string | null, onJoin: (req: JoinRequest) => void,
 *          onCannot: (title: string, text: string) => void}} opts
 *   the invite of the link we came by; who starts the meeting; who says
 *   that this browser cannot join
 */
export function initPrejoin(opts) {
  pre.invite = opts.invite;
  pre.onJoin = opts.onJoin;
  pre.onCannot = opts.onCannot;
  mountBackgroundControls(byId('pre-background'));
  camSelect.addEventListener('change', () => chooseDevice('video', camSelect.value));
  micSelect.addEventListener('change', () => chooseDevice('audio', micSelect.value));
  byId('pre-mic').addEventListener('click', toggleMic);
  byId('pre-cam').addEventListener('click', toggleCam);
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
  byId('prejoin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void join(false);
  });
  byId('btn-join-receive').addEventListener('click', () => join(true));
  relayBox.addEventListener('change', () => {
    rememberRelay(relayBox.checked);
    renderRelay(relayBox, byId('pre-relay-hint'), pre.relay.turn, relayBox.checked);
  });
  mountLanguageSwitch(byId('prejoin-language'));
  onLanguage(redraw);
}

/** The language changed: draw again what this screen wrote in words of its own. */
function redraw() {
  if (!showing('prejoin')) return;
  document.title = t('prejoin.page_title', { room: pre.room });
  showInvitedName();
  renderPreview();
  renderRelay(relayBox, byId('pre-relay-hint'), pre.relay.turn, relayBox.checked);
  void fillDevices();
}
