// @ts-check
/** Russian (see ../i18n.js; the keys are en.js's). Counts have forms one, few, many. */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Язык',
  // --- hands ---
  'hands.place.one': '{n}-й',
  'hands.place.two': '{n}-й',
  'hands.place.few': '{n}-й',
  'hands.place.other': '{n}-й',
  'hands.tile': 'Рука поднята, {place} в очереди',
  'hands.toast': '{name} поднимает руку — {place} в очереди',
  'hands.lowered': 'Вы уже говорили какое-то время, поэтому ваша рука опущена.',
};
