// @ts-check
/**
 * The links to a meeting's kept transcript (docs/api.md), under a meeting
 * that has one, for a member of a side it was held between: the only ones
 * the server lets read it. The server stores it while a host of the
 * meeting's room keeps the transcript (docs/dialogues.md, *Transcripts*).
 */

import { t } from '../i18n.js';
import { h } from './page.js';
import { transcriptPath } from './routes.js';

/** @typedef {import('./history.js').DialogueOut} DialogueOut */
/** @typedef {import('./history.js').MeetingOut} MeetingOut */

/**
 * "Transcript (text · WebVTT)", or null when there is none for the viewer.
 * @param {DialogueOut} d @param {MeetingOut} m
 * @returns {HTMLElement | null}
 */
export function transcriptLinks(d, m) {
  if (!m.transcript || !m.sides.includes(d.you.side)) return null;
  /** @param {'txt' | 'vtt'} kind @param {string} label */
  const link = (kind, label) => h('a', {
    href: transcriptPath(d.id, m.id, kind),
    download: `${m.topic} transcript.${kind}`,
    'data-testid': `transcript-${kind}`,
    'aria-label': t('dlg.transcript_of', { topic: m.topic, label }),
  }, label);
  return h('p', { class: 'hint', 'data-testid': 'transcript' },
    `${t('dlg.transcript')} (`, link('txt', t('dlg.text')), ' · ', link('vtt', 'WebVTT'), ')');
}
