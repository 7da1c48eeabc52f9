// @ts-check
/**
 * What every dialogue screen uses: make elements, start a screen, say what
 * happened (to everyone, and to screen readers through aria-live), run an
 * API call behind a button with its true state (working, done, refused),
 * and put a refusal into words.
 */

import { t } from '../i18n.js';
import { ApiFailure } from './api.js';
import { ApiCode } from './codes.js';

/**
 * @typedef {string | Node | null | undefined | false} Child
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined>} [attrs] `true` sets an empty attribute; false/undefined none
 * @param {...(Child | Child[])} children text or nodes
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) node.setAttribute(k, '');
    else if (typeof v === 'string') node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** @returns {HTMLElement} */
function main() {
  return /** @type {HTMLElement} */ (document.getElementById('main'));
}

/**
 * Start a screen: its title, an h1 that takes focus (so screen readers hear
 * where they are), and the element to fill.
 * @param {string} title @param {string} [heading] @returns {HTMLElement}
 */
export function screen(title, heading = title) {
  document.title = t('dlg.page_title', { title });
  const root = main();
  root.replaceChildren();
  const h1 = h('h1', { id: 'screen-title', tabindex: '-1', 'data-testid': 'screen-title' }, heading);
  root.append(h1);
  h1.focus({ preventScroll: true });
  return root;
}

/** Tell screen-reader users what happened. @param {string} text */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.append(h('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild?.remove();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;
/**
 * A passing note on screen, read out through the announcer (the toast itself
 * is no live region, so nothing is said twice).
 * @param {string} text
 */
export function toast(text) {
  announce(text);
  const node = document.getElementById('toast');
  if (!node) return;
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 4000);
}

/** What a status line's data-code says when the server has no such endpoint (yet). */
export const NOT_OFFERED = 'not-offered';

/**
 * Whether the server has no such endpoint (yet): the API answers an unknown
 * path 404, and a known path with another method 405, both invalid-request.
 * @param {unknown} error
 */
export function notOffered(error) {
  return error instanceof ApiFailure && (error.status === 404 || error.status === 405) && error.code === ApiCode.INVALID_REQUEST;
}

/**
 * A refusal in words: the server's own message, which names the problem;
 * our words where the server cannot speak (no network, an endpoint this
 * server does not have yet).
 * @param {unknown} error
 * @returns {string}
 */
export function explain(error) {
  if (notOffered(error)) return t('dlg.not_offered');
  if (error instanceof ApiFailure) {
    const text = error.message || error.code;
    return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A line that says how an action went, read out when it changes. It is
 * never hidden, only empty (and then takes no room): a live region that
 * appears with its text is not read out by every screen reader.
 * @param {string} testid
 * @returns {HTMLElement & {say: (text: string, kind?: 'ok' | 'error' | 'busy') => void}}
 */
export function statusLine(testid) {
  const node = /** @type {any} */ (h('p', { class: 'dlg-status', role: 'status', 'aria-live': 'polite', 'data-testid': testid }));
  /** @param {string} text @param {'ok' | 'error' | 'busy'} [kind] */
  node.say = (text, kind = 'ok') => {
    node.textContent = text;
    node.dataset.kind = kind;
  };
  return node;
}

/**
 * Run `work` for a button: the button says it is working and cannot be
 * pressed twice; `status` says what came of it. Resolves to the work's
 * result, or undefined when it was refused (the refusal is shown).
 * @template T
 * @param {HTMLButtonElement} button
 * @param {ReturnType<typeof statusLine>} status
 * @param {() => Promise<T>} work
 * @param {{busy?: string, done?: string}} [words]
 * @returns {Promise<T | undefined>}
 */
export async function act(button, status, work, words = {}) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  status.say(words.busy ?? 'Working…', 'busy');
  try {
    const result = await work();
    status.say(words.done ?? '', 'ok');
    return result;
  } catch (error) {
    status.say(explain(error), 'error');
    if (error instanceof ApiFailure) status.dataset.code = notOffered(error) ? NOT_OFFERED : error.code;
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** @param {string} text @param {Record<string, string | boolean | undefined>} [attrs] @returns {HTMLButtonElement} */
export function button(text, attrs = {}) {
  return /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'btn', ...attrs }, text));
}

/**
 * A labelled field: the label, the control, and an error line tied to it.
 * @param {string} label @param {HTMLElement} control (it needs an id) @param {string} [hint]
 */
export function field(label, control, hint) {
  const id = control.id;
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  error.hidden = true;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    control,
    error);
}

/** Mark a field wrong (or right again). @param {HTMLElement} control @param {string} [problem] */
export function fieldError(control, problem) {
  const error = document.getElementById(`${control.id}-error`);
  if (problem) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  if (error) {
    error.textContent = problem ?? '';
    error.hidden = !problem;
  }
}

/** Copy text, saying so; show it when the clipboard is refused. @param {string} text @param {string} done */
export async function copy(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    toast(done);
  } catch {
    toast(t('dlg.copy_refused'));
  }
}

/**
 * A link to hand out: readable, selectable, with a copy button.
 * @param {string} label what it is, for the copy button's name
 * @param {string} url @param {string} testid
 */
export function linkBox(label, url, testid) {
  const input = /** @type {HTMLInputElement} */ (h('input', {
    type: 'text', readonly: true, value: url, 'aria-label': label, class: 'dlg-link', 'data-testid': testid,
  }));
  input.addEventListener('focus', () => input.select());
  const copyButton = button(t('dlg.copy'), { class: 'btn btn-small', 'aria-label': t('dlg.copy_long', { label }) });
  copyButton.addEventListener('click', () => copy(url, t('dlg.copied')));
  return h('div', { class: 'dlg-linkbox' }, input, copyButton);
}
