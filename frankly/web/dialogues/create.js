// @ts-check
/**
 * Founding a dialogue (/dialogues/new): its title, two or more sides each
 * with a name and a time zone (a searchable list of the browser's IANA
 * zones), the side the founder leads, and their name. The founder becomes
 * the convener; the dialogue page then shows the links to hand out.
 */

import { t } from '../i18n.js';
import { post } from './api.js';
import { showDialogue } from './dialogue.js';
import { remember } from './known.js';
import { act, button, field, fieldError, h, screen, statusLine } from './page.js';
import { dialoguePath } from './routes.js';
import { city, knownZones, viewerZone, zoneFor } from './times.js';

const MAX_SIDES = 12;
let counter = 0;

/** The datalist every zone field searches. @returns {HTMLElement} */
function zoneList() {
  return h('datalist', { id: 'zones' }, knownZones().map((z) => h('option', { value: z, label: city(z) })));
}

/**
 * One side's row: name and zone.
 * @param {number} n @param {string} zone
 * @returns {HTMLElement}
 */
function sideRow(n, zone) {
  const id = ++counter;
  const name = h('input', { id: `side-name-${id}`, type: 'text', maxlength: '100', autocomplete: 'off', class: 'side-name', required: true });
  const zoneInput = h('input', {
    id: `side-zone-${id}`, type: 'text', list: 'zones', value: zone, autocomplete: 'off', spellcheck: 'false',
    class: 'side-zone', placeholder: t('dlg.zone_placeholder'), required: true,
  });
  const remove = button(t('dlg.remove_side'), { class: 'btn btn-small btn-quiet side-remove' });
  const row = h('fieldset', { class: 'dlg-side-row' },
    h('legend', {}, t('dlg.side_n', { n })),
    field(t('dlg.side_name'), name),
    field(t('dlg.zone'), zoneInput),
    remove);
  remove.addEventListener('click', () => {
    const list = row.parentElement;
    row.remove();
    if (!list) return;
    renumber(list);
    // Focus goes to the last side's name, not to the top of the page.
    /** @type {HTMLInputElement | null} */ (list.querySelector('.dlg-side-row:last-of-type .side-name'))?.focus();
    const more = list.parentElement?.querySelector('.dlg-more');
    if (more instanceof HTMLElement) more.hidden = false;
  });
  return row;
}

/** Legends, the remove buttons (never below two sides), and the "your side" choices. @param {HTMLElement} list */
function renumber(list) {
  const rows = [...list.querySelectorAll('.dlg-side-row')];
  rows.forEach((row, i) => {
    const legend = row.querySelector('legend');
    if (legend) legend.textContent = t('dlg.side_n', { n: i + 1 });
    const remove = /** @type {HTMLButtonElement} */ (row.querySelector('.side-remove'));
    remove.hidden = rows.length <= 2;
  });
  list.dispatchEvent(new Event('sides-changed', { bubbles: true }));
}

/** @param {HTMLElement} list */
function sidesIn(list) {
  return [...list.querySelectorAll('.dlg-side-row')].map((row) => ({
    name: /** @type {HTMLInputElement} */ (row.querySelector('.side-name')),
    zone: /** @type {HTMLInputElement} */ (row.querySelector('.side-zone')),
  }));
}

/** @param {HTMLSelectElement} select @param {HTMLElement} list */
function fillYourSide(select, list) {
  const chosen = select.selectedIndex;
  select.replaceChildren(...sidesIn(list).map((s, i) => h('option', { value: String(i) }, s.name.value.trim() || t('dlg.side_n', { n: i + 1 }))));
  select.selectedIndex = Math.max(0, Math.min(chosen, select.options.length - 1));
}

/**
 * What is wrong with the form, field by field (the server checks again).
 * @param {HTMLInputElement} title @param {HTMLElement} list @param {HTMLInputElement} name
 * @returns {HTMLElement | null} the first field in error
 */
function check(title, list, name) {
  const zones = knownZones();
  /** @type {HTMLElement | null} */
  let first = null;
  /** @param {HTMLElement} control @param {string | undefined} problem */
  const mark = (control, problem) => {
    fieldError(control, problem);
    if (problem && !first) first = control;
  };
  mark(title, title.value.trim() ? undefined : t('dlg.need_title'));
  for (const side of sidesIn(list)) {
    mark(side.name, side.name.value.trim() ? undefined : t('dlg.need_side_name'));
    const typed = side.zone.value.trim();
    const zone = zoneFor(typed, zones);
    if (zone) side.zone.value = zone; // "new york" becomes America/New_York
    mark(side.zone, zone ? undefined : typed ? t('dlg.not_a_zone', { typed }) : t('dlg.need_zone'));
  }
  mark(name, name.value.trim() ? undefined : t('dlg.enter_name'));
  return first;
}

export function showCreate() {
  const root = screen(t('home.dialogue'));
  root.classList.add('dlg-narrow');
  const title = /** @type {HTMLInputElement} */ (h('input', { id: 'dlg-title', type: 'text', maxlength: '200', autocomplete: 'off', required: true }));
  const list = h('div', { class: 'dlg-side-list' }, sideRow(1, viewerZone()), sideRow(2, ''));
  const more = button(t('dlg.add_side'), { class: 'btn btn-small dlg-more' });
  const yourSide = /** @type {HTMLSelectElement} */ (h('select', { id: 'dlg-your-side' }));
  const name = /** @type {HTMLInputElement} */ (h('input', { id: 'dlg-your-name', type: 'text', maxlength: '100', autocomplete: 'name', required: true }));
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'create-dialogue' }, t('dlg.create')));
  const status = statusLine('create-status');
  const form = h('form', { class: 'dlg-form dlg-card', novalidate: true, 'aria-labelledby': 'screen-title' },
    field(t('dlg.title'), title, t('dlg.title_hint')),
    h('h2', {}, t('dlg.sides')),
    h('p', { class: 'hint' }, t('dlg.sides_hint')),
    list, more,
    h('h2', { class: 'dlg-gap' }, t('dlg.you')),
    field(t('dlg.your_side'), yourSide, t('dlg.your_side_hint')),
    field(t('prejoin.name'), name),
    h('div', { class: 'actions' }, submit),
    status,
    zoneList());
  root.append(form);
  renumber(list);
  fillYourSide(yourSide, list);
  list.addEventListener('input', () => fillYourSide(yourSide, list));
  list.addEventListener('sides-changed', () => fillYourSide(yourSide, list));
  more.addEventListener('click', () => {
    const count = sidesIn(list).length;
    if (count >= MAX_SIDES) return;
    const row = sideRow(count + 1, '');
    list.append(row);
    more.hidden = count + 1 >= MAX_SIDES;
    renumber(list);
    /** @type {HTMLInputElement | null} */ (row.querySelector('.side-name'))?.focus();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const wrong = check(title, list, name);
    if (wrong) {
      status.say(t('dlg.fields_wrong'), 'error');
      wrong.focus();
      return;
    }
    const body = {
      title: title.value.trim(),
      sides: sidesIn(list).map((s) => ({ name: s.name.value.trim(), zone: s.zone.value.trim() })),
      side: Number(yourSide.value),
      name: name.value.trim(),
    };
    const made = await act(submit, status, () => post('/dialogues', body), { busy: t('dlg.creating'), done: t('dlg.created') });
    if (!made) return;
    remember(made.id, made.title);
    history.replaceState(null, '', dialoguePath(made.id));
    await showDialogue(made.id, { fresh: made });
  });
}
