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
  // --- blur ---
  'background.title': 'Background',
  'background.none': 'None',
  'background.blur': 'Blur',
  'background.replace': 'Replace',
  'background.private': 'Done on this device, before encryption.',
  'background.loading': 'Starting the background effect…',
  'background.unavailable': 'The background effect can’t run in this browser, so your whole picture is hidden. Choose None to send your camera as it is.',
};
