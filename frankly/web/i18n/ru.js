// @ts-check
/** Russian (see ../i18n.js; the keys are en.js's). Counts have forms one, few, many. */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Язык',
};
