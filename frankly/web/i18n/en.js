// @ts-check
/**
 * English: the reference catalogue (see ../i18n.js). Keys are grouped by
 * the screen or part that shows them: 'home.', 'prejoin.', 'meeting.',
 * 'tile.', 'chat.', 'people.', 'notice.', 'settings.', 'layout.', ...
 */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Language',
  // --- hands ---
  'hands.place.one': '{n}st',
  'hands.place.two': '{n}nd',
  'hands.place.few': '{n}rd',
  'hands.place.other': '{n}th',
  'hands.tile': 'Hand raised, {place} in line',
  'hands.toast': '{name} raised a hand — {place} in line',
  'hands.lowered': 'You have spoken for a while, so your hand was lowered.',
};
