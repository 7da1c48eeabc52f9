// @ts-check
/**
 * The in-meeting settings dialog (the Settings control): camera, microphone
 * and speaker changed during the call (Session.useDevice replaces the
 * track on every sender, so the others keep receiving), a microphone level
 * meter, a test sound through the chosen speaker, and the video quality
 * preference (best quality or save bandwidth), each kept on this device
 * (ui/devices.js), and the background choice (ui/background.js's
 * controls, mounted in #settings-background).
 */

import { t, translatePage } from '../i18n.js';
import { describeMediaError, rememberDevice, rememberQuality, rememberedDevice, videoQuality } from './devices.js';
import { mountBackgroundControls } from './background.js';
import { byId, h } from './dom.js';
import { meterKeeper } from './meter.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../mixer.js').Mixer} Mixer
 * @typedef {import('../sfu.js').VideoQuality} VideoQuality
 */

const dialog = /** @type {HTMLDialogElement} */ (byId('settings-dialog'));
const cameraSelect = /** @type {HTMLSelectElement} */ (byId('settings-camera'));
const micSelect = /** @type {HTMLSelectElement} */ (byId('settings-microphone'));
const speakerSelect = /** @type {HTMLSelectElement} */ (byId('settings-speaker'));
const status = byId('settings-status');
const meter = meterKeeper(byId('settings-meter'));

/** @type {() => Session | null} */
let sessionNow = () => null;
/** @type {() => Mixer | null} */
let mixerNow = () => null;
/** What to stop listening to when the dialog closes. */
/** @type {(() => void)[]} */
let unlisten = [];

/**
 * Whether this browser lets a page choose where its sound goes: the mixer
 * plays through an AudioContext, so AudioContext.setSinkId is what counts.
 */
export function canChooseSpeaker() {
  return typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype;
}

/**
 * Send the meeting's sound to the speaker chosen on this device (at the
 * start of each meeting, and when one is chosen). '' is the system's default.
 * @param {Mixer} mixer
 * @param {string} [deviceId]
 */
export async function applySpeaker(mixer, deviceId = rememberedDevice('speaker')) {
  if (!canChooseSpeaker() || mixer.context.state === 'closed') return;
  const context = /** @type {AudioContext & {setSinkId: (id: string) => Promise<void>}} */ (mixer.context);
  try {
    await context.setSinkId(deviceId);
  } catch {
    if (deviceId) await context.setSinkId('').catch(() => {}); // the chosen one is gone: the default
  }
  dialog.dataset.sink = String(/** @type {{sinkId?: unknown}} */ (context).sinkId ?? ''); // what plays now, for tests
}

/** Open the dialog with the devices there are now, the meter running. */
export async function openSettings() {
  const session = sessionNow();
  if (!session || dialog.open) return;
  translatePage(dialog);
  status.textContent = '';
  renderQuality();
  const before = /** @type {HTMLElement | null} */ (document.activeElement);
  dialog.addEventListener('close', () => before?.focus?.(), { once: true });
  unlisten = [
    session.on('local-media', () => meter(session.localStream.getAudioTracks()[0])),
    session.on('ended', () => dialog.close()),
  ];
  dialog.showModal();
  meter(session.localStream.getAudioTracks()[0]);
  await fillDevices(session);
}

function closed() {
  for (const stop of unlisten) stop();
  unlisten = [];
  meter(null);
}

/** @param {Session} session */
async function fillDevices(session) {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const camera = session.localStream.getVideoTracks()[0]?.getSettings().deviceId ?? rememberedDevice('video');
  const mic = session.localStream.getAudioTracks()[0]?.getSettings().deviceId ?? rememberedDevice('audio');
  fill(cameraSelect, devices, 'videoinput', camera, 'settings.camera-n', 'settings.no-camera');
  fill(micSelect, devices, 'audioinput', mic, 'settings.microphone-n', 'settings.no-microphone');
  const choose = canChooseSpeaker();
  speakerSelect.hidden = !choose;
  byId('settings-speaker-label').hidden = !choose;
  byId('settings-speaker-browser').hidden = choose;
  if (choose) fill(speakerSelect, devices, 'audiooutput', rememberedDevice('speaker') || 'default', 'settings.speaker-n', 'settings.no-speaker');
}

/**
 * @param {HTMLSelectElement} select @param {MediaDeviceInfo[]} devices @param {MediaDeviceKind} kind
 * @param {string} current its deviceId @param {string} numbered key for an unnamed one @param {string} none key
 */
function fill(select, devices, kind, current, numbered, none) {
  const list = devices.filter((d) => d.kind === kind && d.deviceId);
  select.replaceChildren();
  list.forEach((d, i) => {
    const option = /** @type {HTMLOptionElement} */ (h('option', { value: d.deviceId }, d.label || t(numbered, { n: i + 1 })));
    option.selected = d.deviceId === current;
    select.append(option);
  });
  if (!list.length) select.append(h('option', { value: '' }, t(none)));
  select.disabled = list.length === 0;
}

/**
 * Use another camera or microphone at once; said in the dialog's status line.
 * @param {'audio' | 'video'} kind @param {string} deviceId
 */
async function chooseDevice(kind, deviceId) {
  const session = sessionNow();
  if (!session || !deviceId) return;
  status.textContent = t(kind === 'video' ? 'settings.switching-camera' : 'settings.switching-microphone');
  try {
    await session.useDevice(kind, deviceId);
    rememberDevice(kind, deviceId);
    status.textContent = t(kind === 'video' ? 'settings.camera-changed' : 'settings.microphone-changed');
  } catch (err) {
    status.textContent = t(kind === 'video' ? 'settings.camera-failed' : 'settings.microphone-failed', { why: describeMediaError(err) });
    await fillDevices(session); // the select shows what is really in use
  }
}

/** @param {string} deviceId */
async function chooseSpeaker(deviceId) {
  rememberDevice('speaker', deviceId === 'default' ? '' : deviceId);
  const mixer = mixerNow();
  if (mixer) await applySpeaker(mixer);
  status.textContent = t('settings.speaker-changed');
}

/** The radio of the quality kept on this device is the checked one. */
function renderQuality() {
  const now = videoQuality();
  for (const radio of qualityRadios()) radio.checked = radio.value === now;
}

/** @returns {HTMLInputElement[]} */
function qualityRadios() {
  return [...dialog.querySelectorAll('input[name="video-quality"]')].map((r) => /** @type {HTMLInputElement} */ (r));
}

/** @param {VideoQuality} quality */
async function chooseQuality(quality) {
  rememberQuality(quality);
  const session = sessionNow();
  try {
    await session?.setVideoQuality(quality);
    status.textContent = t(quality === 'save' ? 'settings.quality-save-on' : 'settings.quality-best-on');
  } catch (err) {
    status.textContent = t('settings.quality-failed', { why: describeMediaError(err) });
  }
}

/** How long the test sound lasts, seconds: long enough to hear, short enough not to annoy. */
const TONE_SECONDS = 0.6;

/**
 * A short generated tone (no file) through the meeting's own sound, so it
 * comes out of the speaker chosen for the others' voices.
 */
async function playTestSound() {
  const mixer = mixerNow();
  if (!mixer || mixer.context.state === 'closed') return;
  const ctx = mixer.context;
  await ctx.resume().catch(() => {});
  const tone = ctx.createOscillator();
  const gain = ctx.createGain();
  tone.frequency.value = 660;
  const at = ctx.currentTime;
  // A soft start and end: a tone cut off abruptly clicks.
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(0.25, at + 0.05);
  gain.gain.setValueAtTime(0.25, at + TONE_SECONDS - 0.1);
  gain.gain.linearRampToValueAtTime(0, at + TONE_SECONDS);
  tone.connect(gain).connect(ctx.destination);
  tone.start(at);
  tone.stop(at + TONE_SECONDS);
  tone.addEventListener('ended', () => gain.disconnect());
  dialog.dataset.testSounds = String(Number(dialog.dataset.testSounds ?? 0) + 1);
  status.textContent = t('settings.test-sound-played');
}

/**
 * Wire the dialog (once, at start).
 * @param {() => Session | null} session the meeting's session now
 * @param {() => Mixer | null} mixer what it plays through now
 */
export function initSettings(session, mixer) {
  sessionNow = session;
  mixerNow = mixer;
  byId('btn-settings').addEventListener('click', () => void openSettings());
  byId('btn-settings-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', closed);
  cameraSelect.addEventListener('change', () => chooseDevice('video', cameraSelect.value));
  micSelect.addEventListener('change', () => chooseDevice('audio', micSelect.value));
  speakerSelect.addEventListener('change', () => chooseSpeaker(speakerSelect.value));
  byId('btn-test-sound').addEventListener('click', () => void playTestSound());
  for (const radio of qualityRadios()) {
    radio.addEventListener('change', () => {
      if (radio.checked) void chooseQuality(radio.value === 'save' ? 'save' : 'best');
    });
  }
  navigator.mediaDevices?.addEventListener?.('devicechange', () => {
    const s = sessionNow();
    if (dialog.open && s) void fillDevices(s);
  });
  // The same None / Blur / Replace choice as before joining (ui/background.js).
  mountBackgroundControls(byId('settings-background'));
}
