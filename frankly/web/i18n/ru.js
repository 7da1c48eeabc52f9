// @ts-check
/** Russian (see ../i18n.js; the keys are en.js's). Counts have forms one, few, many. */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Язык',
  // --- passphrase ---
  'prejoin.passphrase.label': 'Кодовая фраза встречи',
  'prejoin.passphrase.why': 'Эта встреча зашифрована кодовой фразой: без неё вы никого не увидите и не услышите. Спросите её у организатора и введите здесь.',
  // --- blur ---
  'background.title': 'Фон',
  'background.none': 'Нет',
  'background.blur': 'Размыть',
  'background.replace': 'Заменить',
  'background.private': 'Выполняется на этом устройстве, до шифрования.',
  'background.loading': 'Включаем эффект фона…',
  'background.unavailable': 'Эффект фона не работает в этом браузере, поэтому всё изображение скрыто. Выберите «Нет», чтобы показывать камеру как есть.',
};
