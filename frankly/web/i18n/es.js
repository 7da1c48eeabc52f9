// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
  // --- layouts ---
  'layout.menu': 'Diseño',
  'layout.grid': 'Cuadrícula',
  'layout.speaker': 'Orador',
  'layout.hideSelf': 'Ocultar mi vista',
  'layout.showSelf': 'Mostrar mi vista',
  'layout.selfHidden': 'Tu vista está oculta. Los demás siguen recibiendo tu cámara y tu micrófono según los tengas.',
  'layout.pin': 'Fijar',
  'layout.unpin': 'Dejar de fijar',
  'layout.fullscreen': 'Pantalla completa',
  'layout.exitFullscreen': 'Salir de pantalla completa',
  'layout.presenting': 'Estás presentando',
  'layout.stopPresenting': 'Dejar de presentar',
};
