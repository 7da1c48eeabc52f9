// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
  // --- hands ---
  'hands.place.one': '{n}.º',
  'hands.place.two': '{n}.º',
  'hands.place.few': '{n}.º',
  'hands.place.other': '{n}.º',
  'hands.tile': 'Mano levantada, {place} en la fila',
  'hands.toast': '{name} levantó la mano — {place} en la fila',
  'hands.lowered': 'Has hablado un rato, así que tu mano se ha bajado.',
};
