// @ts-check
/**
 * English: the reference catalogue (see ../i18n.js). Keys are grouped by
 * the screen or part that shows them: 'home.', 'prejoin.', 'meeting.',
 * 'tile.', 'chat.', 'people.', 'notice.', 'settings.', 'layout.', ...
 */

/** @type {import('../i18n.js').Catalogue} */
export default {
  'language.label': 'Language',
  // --- settings ---
  'settings.button': 'Settings',
  'settings.title': 'Settings',
  'settings.camera': 'Camera',
  'settings.microphone': 'Microphone',
  'settings.speaker': 'Speaker',
  'settings.speaker-browser': 'Your browser picks the speaker.',
  'settings.meter': 'Microphone level',
  'settings.test-sound': 'Play test sound',
  'settings.test-sound-played': 'A test sound played through the speaker.',
  'settings.quality': 'Video quality',
  'settings.quality-best': 'Best quality',
  'settings.quality-best-hint': 'Your camera at 1280×720.',
  'settings.quality-save': 'Save bandwidth',
  'settings.quality-save-hint': 'Your camera at 640×360, sending less: for a weak connection or a slow computer.',
  'settings.quality-best-on': 'Sending your camera at best quality.',
  'settings.quality-save-on': 'Saving bandwidth: your camera is sent smaller.',
  'settings.quality-failed': 'Could not change the video quality: {why}.',
  'settings.close': 'Close',
  'settings.camera-n': 'Camera {n}',
  'settings.microphone-n': 'Microphone {n}',
  'settings.speaker-n': 'Speaker {n}',
  'settings.no-camera': 'No camera found',
  'settings.no-microphone': 'No microphone found',
  'settings.no-speaker': 'No speaker found',
  'settings.switching-camera': 'Switching camera…',
  'settings.switching-microphone': 'Switching microphone…',
  'settings.camera-changed': 'Camera changed. The others see the new one.',
  'settings.microphone-changed': 'Microphone changed. The others hear the new one.',
  'settings.camera-failed': 'Can’t use that camera: {why}.',
  'settings.microphone-failed': 'Can’t use that microphone: {why}.',
  'settings.speaker-changed': 'Speaker changed.',
  'quality.good': 'Good',
  'quality.fair': 'Fair',
  'quality.poor': 'Poor',
  'quality.details': 'Connection: {level}. {measures}',
  'quality.loss': '{n}% packets lost',
  'quality.jitter': 'jitter {n} ms',
  'quality.rtt': 'round trip {n} ms',
  'quality.fps': 'frames a second: {n}',
  'quality.height': 'picture {n} px high',
};
