// @ts-check
/**
 * The "Background: None / Blur / Replace" choice (../background.js does the
 * work): on the pre-join screen under the preview, and mountable into the
 * in-meeting settings dialog (`mountBackgroundControls`). Every mount shows
 * the same choice, and a change on one shows on all.
 */

import { EFFECTS, backgroundState, chooseEffect, watchBackground } from '../background.js';
import { t } from '../i18n.js';
import { h } from './dom.js';

/** @type {Record<import('../background.js').Effect, string>} */
const LABELS = { none: 'background.none', blur: 'background.blur', replace: 'background.replace' };

/** What the line under the choice says while an effect is on, by the model's status. */
const STATUS = /** @type {Record<import('../background.js').ModelStatus, string>} */ ({
  idle: 'background.private',
  loading: 'background.loading',
  ready: 'background.private',
  unavailable: 'background.unavailable',
});

let mounts = 0;

/**
 * Put the choice into `container` (a <fieldset> gets a <legend>) and show it.
 * @param {HTMLElement} container
 */
export function mountBackgroundControls(container) {
  const n = ++mounts;
  const legend = container instanceof HTMLFieldSetElement;
  const title = h(legend ? 'legend' : 'span', { id: `background-title-${n}`, class: 'background-title', 'data-i18n': 'background.title' }, t('background.title'));
  const group = h('div', { class: 'background-choice', role: 'radiogroup', 'aria-labelledby': title.id });
  const inputs = EFFECTS.map((effect) => {
    const input = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: `background-${n}`, value: effect, 'data-testid': `background-${effect}` }));
    input.addEventListener('change', () => {
      if (input.checked) void chooseEffect(effect);
    });
    const label = h('label', { class: 'background-option' });
    label.append(input, h('span', { 'data-i18n': LABELS[effect] }, t(LABELS[effect])));
    group.append(label);
    return input;
  });
  const status = h('p', { class: 'hint background-status', role: 'status', 'data-testid': 'background-status' });
  container.append(title, group, status);
  container.hidden = false;
  const render = () => {
    const { effect, status: model } = backgroundState();
    for (const input of inputs) input.checked = input.value === effect;
    const key = effect === 'none' ? '' : STATUS[model];
    status.textContent = key ? t(key) : '';
    status.hidden = !key;
    container.dataset.background = effect;
  };
  watchBackground(render);
  render();
}
