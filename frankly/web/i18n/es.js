// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
  // --- blur ---
  'background.title': 'Fondo',
  'background.none': 'Ninguno',
  'background.blur': 'Desenfocar',
  'background.replace': 'Reemplazar',
  'background.private': 'Se hace en este dispositivo, antes del cifrado.',
  'background.loading': 'Iniciando el efecto de fondo…',
  'background.unavailable': 'El efecto de fondo no funciona en este navegador, así que toda tu imagen queda oculta. Elige Ninguno para enviar tu cámara tal cual.',
};
