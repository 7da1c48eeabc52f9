// @ts-check
/**
 * English: the reference catalogue (see ../i18n.js). Keys are grouped by
 * the screen or part that shows them: 'home.', 'prejoin.', 'meeting.',
 * 'tile.', 'chat.', 'people.', 'notice.', 'settings.', 'layout.', ...
 */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Language',
  // --- layouts ---
  'layout.menu': 'Layout',
  'layout.grid': 'Grid',
  'layout.speaker': 'Speaker',
  'layout.hideSelf': 'Hide self view',
  'layout.showSelf': 'Show self view',
  'layout.selfHidden': 'Your self view is hidden. The others still get your camera and microphone as you set them.',
  'layout.pin': 'Pin',
  'layout.unpin': 'Unpin',
  'layout.fullscreen': 'Full screen',
  'layout.exitFullscreen': 'Exit full screen',
  'layout.presenting': 'You are presenting',
  'layout.stopPresenting': 'Stop presenting',
};
