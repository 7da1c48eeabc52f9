// @ts-check
/**
 * A microphone level meter (the pre-join screen's and the settings
 * dialog's): an AnalyserNode on the local track, drawn a few times a second
 * into an element with role="meter" (aria-valuenow 0..100, and --level for
 * the bar's width). levelOf is pure, for tests/web/meter.test.mjs.
 */

/** Quieter than this (dB below full scale) reads 0: the hum of a quiet room. */
const FLOOR_DB = -60;

/** How often the meter redraws, ms: often enough to follow speech, rarely enough to cost nothing. */
const EVERY_MS = 100;

/**
 * The level of one analyser window, 0..100: its RMS in dB, from FLOOR_DB
 * (0) to full scale (100), so speech sits in the middle and not at the bottom.
 * @param {ArrayLike<number>} samples
 * @returns {number}
 */
export function levelOf(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.round(Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB)) * 100);
}

/**
 * Show `track`'s level in `meter` until the returned function is called.
 * A muted track reads 0 (it gives silence). The browser may hold an
 * AudioContext back until a click; the next click or key lets it run.
 * @param {HTMLElement} meter @param {MediaStreamTrack} track
 * @returns {() => void} stop
 */
export function startMeter(meter, track) {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser); // not to the speakers: nobody wants to hear themselves
  const samples = new Float32Array(analyser.fftSize);
  const resume = () => context.resume().catch(() => {});
  void resume();
  document.addEventListener('pointerdown', resume);
  document.addEventListener('keydown', resume);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    show(meter, levelOf(samples));
  }, EVERY_MS);
  return () => {
    clearInterval(timer);
    document.removeEventListener('pointerdown', resume);
    document.removeEventListener('keydown', resume);
    source.disconnect();
    context.close().catch(() => {});
    show(meter, 0);
  };
}

/** @param {HTMLElement} meter @param {number} level 0..100 */
function show(meter, level) {
  meter.setAttribute('aria-valuenow', String(level));
  meter.style.setProperty('--level', `${level}%`);
}

/**
 * Keep one meter on whichever track is current: a new track (another
 * microphone chosen) restarts it, none stops it.
 * @param {HTMLElement} meter
 */
export function meterKeeper(meter) {
  /** @type {MediaStreamTrack | null} */
  let on = null;
  let stop = () => {};
  /** @param {MediaStreamTrack | null | undefined} track */
  return (track) => {
    const next = track && track.readyState === 'live' ? track : null;
    if (next === on) return;
    stop();
    stop = () => {};
    on = next;
    try {
      if (next) stop = startMeter(meter, next);
    } catch {
      meter.hidden = true; // no Web Audio here: no meter, rather than a broken screen
    }
  };
}
