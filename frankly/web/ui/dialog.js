// @ts-check
/**
 * An accessible yes-or-no question in a modal <dialog>, instead of the
 * browser's `confirm()` (which cannot be styled, labelled or tested, and
 * blocks the page). Labelled by its title and described by its body; focus
 * stays inside while it is open and goes back where it was after; Escape
 * cancels, Enter confirms.
 */

import { h } from './dom.js';

/**
 * @typedef {{title: string, body: string, confirm: string, cancel: string, danger?: boolean}} ConfirmOptions
 *   `confirm`, `cancel`: the two buttons' words; `danger`: the confirm button
 *   is the red one (an action that cannot be undone)
 */

let counter = 0;

/**
 * Ask, and resolve to whether the person confirmed.
 * @param {ConfirmOptions} opts
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, body, confirm, cancel, danger = false }) {
  const id = `confirm-${++counter}`;
  const yes = h('button', { type: 'submit', value: 'yes', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-testid': 'confirm-yes' }, confirm);
  const no = h('button', { type: 'button', class: 'btn', 'data-testid': 'confirm-no' }, cancel);
  const form = h('form', { method: 'dialog' });
  const actions = h('div', { class: 'actions' });
  actions.append(yes, no);
  form.append(h('h2', { id: `${id}-title` }, title), h('p', { id: `${id}-body` }, body), actions);
  const dialog = /** @type {HTMLDialogElement} */ (
    h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-body`, 'data-testid': 'confirm-dialog' })
  );
  dialog.append(form);
  const before = document.activeElement;
  return new Promise((resolve) => {
    no.addEventListener('click', () => dialog.close('no'));
    dialog.addEventListener('keydown', (ev) => trapTab(ev, [yes, no]));
    // Escape fires `cancel` and closes with an empty returnValue: a no.
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (before instanceof HTMLElement && before.isConnected) before.focus();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
    yes.focus();
  });
}

/**
 * Tab from the last button goes to the first and back: the page behind is
 * inert while the dialog is modal, and focus must not leave for the address bar.
 * @param {KeyboardEvent} ev @param {HTMLElement[]} order
 */
function trapTab(ev, order) {
  if (ev.key !== 'Tab') return;
  const at = order.indexOf(/** @type {HTMLElement} */ (document.activeElement));
  const next = ev.shiftKey ? (at <= 0 ? order.length - 1 : at - 1) : (at + 1) % order.length;
  ev.preventDefault();
  order[next].focus();
}
