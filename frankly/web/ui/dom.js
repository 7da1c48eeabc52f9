// @ts-check
/**
 * Small helpers every screen uses: find and make elements, show one screen,
 * tell screen-reader users what happened, a passing toast, and the few
 * things this browser remembers (localStorage).
 */

import { formatTime, t } from '../i18n.js';

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
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
export function h(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The screens of index.html (`#screen-NAME`), one visible at a time. */
const SCREENS = ['home', 'invalid', 'prejoin', 'lobby', 'meeting', 'left', 'notice'];

/** @param {string} name */
export function show(name) {
  for (const s of SCREENS) byId(`screen-${s}`).hidden = s !== name;
  document.body.dataset.screen = name;
  const heading = byId(`screen-${name}`).querySelector('h1');
  if (heading && name !== 'meeting') {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

/** @param {string} name @returns {boolean} */
export function showing(name) {
  return !byId(`screen-${name}`).hidden;
}

/** Tell screen-reader users (the aria-live region) what happened. @param {string} text */
export function announce(text) {
  const region = byId('announcer');
  region.append(h('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild?.remove();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/** @param {string} text */
export function toast(text) {
  const node = byId('toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 4000);
}

/** Take the toast down now: what it said ("Invite link copied") was about a meeting we left. */
export function clearToast() {
  clearTimeout(toastTimer);
  byId('toast').hidden = true;
}

/** @param {string} name @returns {string} */
export function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => [...p][0]?.toUpperCase() ?? '').join('') || '?';
}

/** A time of day in the interface's language. @param {number} ts seconds since the epoch @returns {string} */
export function clock(ts) {
  return formatTime(ts * 1000);
}

/** Hex of `n` random bytes. @param {number} n @returns {string} */
export function randomHex(n) {
  return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What this browser remembers between visits; nothing in private mode. */
export const store = {
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

/** @param {string} text @param {string} done what to say once copied @param {string} [fallback] */
export async function copyOrShow(text, done, fallback = t('dom.copy_link')) {
  try {
    await navigator.clipboard.writeText(text);
    toast(done);
  } catch {
    toast(`${fallback}: ${text}`);
  }
}

/**
 * What the microphone and camera buttons say: the action a press does now,
 * so a muted microphone's button reads "Unmute" (issue 15: labels that tell
 * the truth). `short` is the visible label, `long` the accessible name.
 * @type {Readonly<Record<'mic' | 'cam', (off: boolean) => {short: string, long: string}>>}
 */
export const MEDIA_LABELS = Object.freeze({
  mic: (off) =>
    off ? { short: t('controls.unmute'), long: t('controls.unmute_long') } : { short: t('controls.mute'), long: t('controls.mute_long') },
  cam: (off) =>
    off ? { short: t('controls.cam_on'), long: t('controls.cam_on_long') } : { short: t('controls.cam_off'), long: t('controls.cam_off_long') },
});

/**
 * Set a microphone or camera button to `off`: pressed state, label and name.
 * @param {Element} button @param {'mic' | 'cam'} kind @param {boolean} off
 */
export function labelMediaButton(button, kind, off) {
  const words = MEDIA_LABELS[kind](off);
  button.setAttribute('aria-pressed', String(off));
  button.setAttribute('aria-label', words.long);
  const label = button.querySelector('.label');
  if (label) label.textContent = words.short;
}
