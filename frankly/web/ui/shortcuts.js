// @ts-check
/**
 * The meeting screen's keyboard shortcuts: which key does what (SHORTCUTS,
 * actionFor; pure, the Node tests import them), the `?` help dialog, and
 * Escape closing every open menu and dialog (initShortcuts).
 *
 * Single keys never fire while someone types (an input, a textarea, a select
 * or contenteditable has focus), nor with Ctrl, Alt or Meta held, so the
 * browser's own shortcuts and typing in chat stay as they were. Leave needs
 * Shift, so a stray "l" does not end anyone's call.
 */

import { t } from '../i18n.js';

/**
 * @typedef {'mic' | 'camera' | 'hand' | 'chat' | 'people' | 'share' | 'leave' | 'help' | 'escape'} Action
 * @typedef {{key: string, ctrlKey?: boolean, altKey?: boolean, metaKey?: boolean}} KeyPress
 *   the parts of a KeyboardEvent that choose an action
 * @typedef {{tagName: string, type?: string, isContentEditable?: boolean}} Focused
 *   the parts of the focused element that say whether someone is typing
 */

/**
 * Every shortcut, in the order the help dialog lists them. `key` is
 * KeyboardEvent.key: lower case letters without Shift, "L" is Shift+L.
 * `does` is the catalogue key of what it does (i18n.js).
 * @type {ReadonlyArray<{key: string, keys: string, action: Action, does: string}>}
 */
export const SHORTCUTS = [
  { key: 'm', keys: 'M', action: 'mic', does: 'shortcuts.mic' },
  { key: 'v', keys: 'V', action: 'camera', does: 'shortcuts.camera' },
  { key: 'h', keys: 'H', action: 'hand', does: 'shortcuts.hand' },
  { key: 'c', keys: 'C', action: 'chat', does: 'shortcuts.chat' },
  { key: 'p', keys: 'P', action: 'people', does: 'shortcuts.people' },
  { key: 's', keys: 'S', action: 'share', does: 'shortcuts.share' },
  { key: 'L', keys: 'Shift+L', action: 'leave', does: 'shortcuts.leave' },
  { key: '?', keys: '?', action: 'help', does: 'shortcuts.help' },
  { key: 'Escape', keys: 'Esc', action: 'escape', does: 'shortcuts.escape' },
];

/** Input types that take no typed text: a letter pressed on them is a shortcut. */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/**
 * Is someone typing into this element (so a letter is text, not a shortcut)?
 * @param {Focused | null | undefined} el
 * @returns {boolean}
 */
export function isTyping(el) {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NOT_TYPED.has((el.type || 'text').toLowerCase());
}

/**
 * The action a key press asks for, or null. Escape works everywhere (it only
 * closes things); the rest not while typing nor with a modifier held.
 * @param {KeyPress} press
 * @param {boolean} typing
 * @returns {Action | null}
 */
export function actionFor(press, typing) {
  if (press.key === 'Escape') return 'escape';
  if (typing || press.ctrlKey || press.altKey || press.metaKey) return null;
  return SHORTCUTS.find((s) => s.key === press.key)?.action ?? null;
}

/**
 * Close every open menu (<details class="menu">) and dialog; focus goes back
 * to a menu's button when it was inside that menu. True when anything closed.
 * @returns {boolean}
 */
export function closeAll() {
  let closed = false;
  for (const menu of document.querySelectorAll('details.menu[open]')) {
    const hadFocus = menu.contains(document.activeElement);
    menu.removeAttribute('open');
    if (hadFocus) /** @type {HTMLElement | null} */ (menu.querySelector('summary'))?.focus();
    closed = true;
  }
  for (const dialog of document.querySelectorAll('dialog[open]')) {
    /** @type {HTMLDialogElement} */ (dialog).close();
    closed = true;
  }
  return closed;
}

/** The help dialog's list, made from SHORTCUTS so the two never disagree. */
function fillHelp() {
  const list = document.getElementById('shortcuts-list');
  if (!list || list.childElementCount) return;
  for (const s of SHORTCUTS) {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = s.keys;
    dt.append(kbd);
    const dd = document.createElement('dd');
    dd.textContent = t(s.does);
    dd.dataset.i18n = s.does; // a change of language redraws it (translatePage)
    row.append(dt, dd);
    list.append(row);
  }
}

/** Open the help dialog; closing it puts focus back where it was. */
export function openHelp() {
  const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById('shortcuts-dialog'));
  if (!dialog || dialog.open) return;
  fillHelp();
  const before = /** @type {HTMLElement | null} */ (document.activeElement);
  dialog.addEventListener('close', () => before?.focus?.(), { once: true });
  dialog.showModal();
}

/**
 * Listen for the shortcuts. `active()` says whether they apply now (the
 * meeting is on screen); `run` does an action other than help and escape.
 * @param {() => boolean} active
 * @param {(action: Action) => void} run
 */
export function initShortcuts(active, run) {
  document.getElementById('btn-shortcuts-close')?.addEventListener('click', () => {
    /** @type {HTMLDialogElement} */ (document.getElementById('shortcuts-dialog')).close();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.repeat) return;
    const action = actionFor(ev, isTyping(/** @type {Focused | null} */ (document.activeElement)));
    if (action === 'escape') {
      // A modal dialog closes itself on Escape; the menus behind it close too.
      if (closeAll()) ev.preventDefault();
      return;
    }
    // Letters do nothing behind a dialog, nor off the meeting screen.
    if (!action || !active() || document.querySelector('dialog[open]')) return;
    ev.preventDefault();
    if (action === 'help') openHelp();
    else run(action);
  });
}
