// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
};
