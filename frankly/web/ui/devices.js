// @ts-check
/**
 * Cameras and microphones: the device this browser chose last time (and the
 * speaker, and the video quality preferred), what a getUserMedia failure
 * means, and what to tell the person about it. The wording functions are
 * pure (statusOf, mediaProblem, describeMediaError).
 */

import { backgroundTrack } from '../background.js';
import { t } from '../i18n.js';
import { cameraSize } from '../sfu.js';
import { store } from './dom.js';

/**
 * @typedef {'pending' | 'ok' | 'off' | 'denied' | 'absent' | 'busy' | 'unsupported' | 'error'} DeviceStatus
 */

/**
 * What a getUserMedia or getDisplayMedia failure means.
 * @param {unknown} err
 * @returns {DeviceStatus}
 */
export function statusOf(err) {
  const name = err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException) ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'absent';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'error';
}

/** Why a device cannot be used, in words, by status. */
const WHY = /** @type {Partial<Record<DeviceStatus, string>>} */ ({
  denied: 'devices.denied',
  absent: 'devices.absent',
  busy: 'devices.busy',
  error: 'devices.error',
});

/** @param {unknown} err @returns {string} why a device could not be used, in words */
export function describeMediaError(err) {
  return t(WHY[statusOf(err)] ?? 'devices.error');
}

/**
 * What is wrong with the camera and microphone, in words, or '' if nothing.
 * @param {DeviceStatus} mic @param {DeviceStatus} cam
 * @returns {string}
 */
export function mediaProblem(mic, cam) {
  if (mic === 'pending' || cam === 'pending') return '';
  if (mic === 'unsupported') {
    return t('devices.unsupported');
  }
  /** @param {DeviceStatus} s */
  const why = (s) => (WHY[s] ? t(/** @type {string} */ (WHY[s])) : '');
  const micBad = mic !== 'ok';
  const camBad = cam !== 'ok' && cam !== 'off';
  if (micBad && camBad) {
    return mic === cam ? t('devices.both_why', { why: why(mic) }) : t('devices.both');
  }
  if (camBad) return t('devices.camera_bad', { why: why(cam) });
  if (micBad) return t('devices.mic_bad', { why: why(mic) });
  return '';
}

/** Where the video quality preference is kept (store: localStorage, `frankly.` first). */
export const QUALITY_KEY = 'video-quality';

/** @returns {import('../sfu.js').VideoQuality} the video quality chosen on this device: best unless saving */
export function videoQuality() {
  return store.get(QUALITY_KEY) === 'save' ? 'save' : 'best';
}

/** @param {import('../sfu.js').VideoQuality} quality */
export function rememberQuality(quality) {
  store.set(QUALITY_KEY, quality);
}

/** @param {'audio' | 'video' | 'speaker'} kind @returns {string} the device chosen last time, or '' */
export function rememberedDevice(kind) {
  return store.get(kind === 'video' ? 'camera' : kind === 'audio' ? 'microphone' : 'speaker');
}

/** @param {'audio' | 'video' | 'speaker'} kind @param {string} deviceId */
export function rememberDevice(kind, deviceId) {
  store.set(kind === 'video' ? 'camera' : kind === 'audio' ? 'microphone' : 'speaker', deviceId);
}

/**
 * The device chosen last time, if any; a camera at the size of the quality
 * preferred (sfu.js cameraSize) where it can.
 * @param {'audio' | 'video'} kind
 * @returns {MediaTrackConstraints | boolean}
 */
export function constraintsFor(kind) {
  const id = rememberedDevice(kind);
  const device = id ? { deviceId: { ideal: id } } : null;
  if (kind === 'video') return { ...cameraSize(videoQuality()), ...device };
  return device ?? true;
}

/**
 * Open one device (a camera with the background effect on, if one is chosen).
 * @param {'audio' | 'video'} kind
 * @returns {Promise<{track: MediaStreamTrack | null, status: DeviceStatus}>}
 */
export async function openDevice(kind) {
  try {
    const s = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind) });
    const track = s.getTracks()[0] ?? null;
    return { track: track && kind === 'video' ? backgroundTrack(track) : track, status: 'ok' };
  } catch (err) {
    return { track: null, status: statusOf(err) };
  }
}
