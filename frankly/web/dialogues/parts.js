// @ts-check
/**
 * Elements the readout, point, representative and public sections share: a
 * maker that only ever sets text (never markup), the one place that puts the
 * server's rendered Markdown into the page, a status line that says the true
 * state of a change (saving, saved, refused with the server's message), and
 * a button that stays disabled while its change is on its way.
 */

import { t } from '../i18n.js';
import { ApiFailure } from './api.js';

/**
 * An element with attributes and children; strings become text nodes, so
 * nothing a person typed is ever parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined>} [attrs] false/undefined: left out
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined) continue;
    node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * The server's rendered Markdown (RevisionOut.html, PointOut.html, a
 * comment's html). Only this function sets innerHTML: the server renders it
 * so that it runs no script (frankly/dialogues/render.py), and the page's CSP
 * refuses inline script besides.
 * @param {string} html @param {string} [cls] @returns {HTMLElement}
 */
export function serverHtml(html, cls = 'rd-prose') {
  const node = el('div', { class: cls });
  node.innerHTML = html;
  return node;
}

/** Words for a refusal or failure: the server's own message when it sent one. */
export function failureText(/** @type {unknown} */ err) {
  if (err instanceof ApiFailure) {
    if (err.code === 'invalid-request' && err.status === 404) return t('dlg.not_offered');
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * A status line under a form: role=status, so screen readers hear each change.
 * @returns {{node: HTMLElement, set: (state: 'idle' | 'busy' | 'done' | 'refused', text?: string) => void}}
 */
export function statusLine() {
  const node = el('p', { class: 'rd-status', role: 'status', 'data-state': 'idle' });
  return {
    node,
    set(state, text = '') {
      node.dataset.state = state;
      node.textContent = text;
    },
  };
}

/**
 * Run `change` with `button` disabled and the status saying `doing`; then
 * `done` (or the refusal's message). Resolves to the change's answer, or
 * undefined when it was refused.
 * @template T
 * @param {HTMLButtonElement} button
 * @param {ReturnType<typeof statusLine>} status
 * @param {{doing: string, done: string}} words
 * @param {() => Promise<T>} change
 * @returns {Promise<T | undefined>}
 */
export async function act(button, status, words, change) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  status.set('busy', words.doing);
  try {
    const answer = await change();
    status.set('done', words.done);
    return answer;
  } catch (err) {
    status.set('refused', failureText(err));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A button of the room client's style. @param {string} text @param {string} [kind] */
export function button(text, kind = '') {
  return /** @type {HTMLButtonElement} */ (el('button', { type: 'button', class: `btn btn-small ${kind}`.trim() }, text));
}

/** A `<time>` for an instant, shown in the viewer's zone by `shown`. */
export function timeEl(/** @type {string} */ iso, /** @type {string} */ shown) {
  return el('time', { datetime: iso }, shown);
}

/** A unique id for label/for pairs, since a page may show several sections. */
let counter = 0;
export function uid(/** @type {string} */ prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * What a section's last change said, by meeting, kept across the re-render
 * that change causes: `leave` it before refreshing, and the section's next
 * `statusLine` (from `take`) says it.
 */
export class Notes {
  constructor() {
    /** @type {Map<string, string>} */
    this.said = new Map();
  }

  /** @param {string} meeting @param {string} text */
  leave(meeting, text) {
    this.said.set(meeting, text);
  }

  /** A status line for the section, saying what was left for `meeting`, once. @param {string} meeting */
  take(meeting) {
    const status = statusLine();
    const text = this.said.get(meeting);
    if (text) {
      sayAfterRender(status, text);
      this.said.delete(meeting);
    }
    return status;
  }
}

/**
 * Say what a change did in a section that its re-render just made: set once
 * the status line is in the page (a live region announces changes, not the
 * text it was inserted with), and move the focus there, since the control
 * that was pressed is gone.
 * @param {ReturnType<typeof statusLine>} status @param {string} text
 */
export function sayAfterRender(status, text) {
  status.node.tabIndex = -1;
  requestAnimationFrame(() => {
    status.set('done', text);
    if (status.node.isConnected) status.node.focus();
  });
}
