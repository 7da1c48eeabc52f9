// @ts-check
/** Russian (see ../i18n.js; the keys are en.js's). Counts have forms one, few, many. */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Язык',
  // --- blur ---
  'background.title': 'Фон',
  'background.none': 'Нет',
  'background.blur': 'Размыть',
  'background.replace': 'Заменить',
  'background.private': 'Выполняется на этом устройстве, до шифрования.',
  'background.loading': 'Включаем эффект фона…',
  'background.unavailable': 'Эффект фона не работает в этом браузере, поэтому всё изображение скрыто. Выберите «Нет», чтобы показывать камеру как есть.',
};
