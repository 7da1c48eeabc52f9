// @ts-check
/**
 * English: the reference catalogue (see ../i18n.js). Keys are grouped by
 * the screen or part that shows them: 'home.', 'prejoin.', 'meeting.',
 * 'tile.', 'chat.', 'people.', 'notice.', 'settings.', 'layout.', ...
 */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Language',
  // --- passphrase ---
  'prejoin.passphrase.label': 'Meeting passphrase',
  'prejoin.passphrase.why': 'This meeting is encrypted with a passphrase: without it you would see and hear no one. Ask the host for it, then enter it here.',
};
