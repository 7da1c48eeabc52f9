// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
  // --- passphrase ---
  'prejoin.passphrase.label': 'Frase de paso de la reunión',
  'prejoin.passphrase.why': 'Esta reunión está cifrada con una frase de paso: sin ella no verías ni oirías a nadie. Pídesela al anfitrión y escríbela aquí.',
};
