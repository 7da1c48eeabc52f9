// @ts-check
/** Russian (see ../i18n.js; the keys are en.js's). Counts have forms one, few, many. */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Язык',
  // --- layouts ---
  'layout.menu': 'Раскладка',
  'layout.grid': 'Сетка',
  'layout.speaker': 'Говорящий',
  'layout.hideSelf': 'Скрыть своё видео',
  'layout.showSelf': 'Показать своё видео',
  'layout.selfHidden': 'Ваше видео скрыто только у вас. Остальные по-прежнему получают вашу камеру и микрофон, как вы их настроили.',
  'layout.pin': 'Закрепить',
  'layout.unpin': 'Открепить',
  'layout.fullscreen': 'Во весь экран',
  'layout.exitFullscreen': 'Выйти из полноэкранного режима',
  'layout.presenting': 'Вы показываете экран',
  'layout.stopPresenting': 'Прекратить показ',
};
