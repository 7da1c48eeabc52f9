// @ts-check
/** Spanish (see ../i18n.js; the keys are en.js's). */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Idioma',
  // --- passphrase ---
  'prejoin.passphrase.label': 'Frase de paso de la reunión',
  'prejoin.passphrase.why': 'Esta reunión está cifrada con una frase de paso: sin ella no verías ni oirías a nadie. Pídesela al anfitrión y escríbela aquí.',
  // --- blur ---
  'background.title': 'Fondo',
  'background.none': 'Ninguno',
  'background.blur': 'Desenfocar',
  'background.replace': 'Reemplazar',
  'background.private': 'Se hace en este dispositivo, antes del cifrado.',
  'background.loading': 'Iniciando el efecto de fondo…',
  'background.unavailable': 'El efecto de fondo no funciona en este navegador, así que toda tu imagen queda oculta. Elige Ninguno para enviar tu cámara tal cual.',
};
