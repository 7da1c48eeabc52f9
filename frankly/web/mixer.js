// @ts-check
/**
 * What the page plays: every remote voice through Web Audio, each through a
 * gain, so the floor can sit under a language channel at the volume the
 * listener set (interpretation.js's gains) and that is truly what comes
 * out. Each source has two analysers, before and after its gain, which the
 * booth panel's level and the tests read. The tiles' <video> elements stay
 * muted; the audio comes from here.
 */

/** @typedef {'floor' | 'channel'} Kind */

/**
 * @typedef {{kind: Kind, track: MediaStreamTrack, element: HTMLAudioElement,
 *            source: MediaStreamAudioSourceNode, gain: GainNode,
 *            before: AnalyserNode, after: AnalyserNode}} Voice
 */

export class Mixer {
  constructor() {
    /** Made at once: the page had a click (Join) by then, so it may run. */
    this.context = new AudioContext();
    /** @type {Map<string, Voice>} by stream key: a participant id, or `id:channel` */
    this.voices = new Map();
    this.gains = { floor: 1, channel: 0 };
  }

  /** Whether the browser holds the sound back until a click (autoplay policy). */
  get suspended() {
    return this.context.state === 'suspended';
  }

  /** Let sound out (from a click, when the browser held it back). */
  resume() {
    return this.context.resume();
  }

  /**
   * Play the audio of `stream` (a floor participant's, or a channel's) under
   * `key`; a stream whose audio track changed is played anew.
   * @param {string} key @param {Kind} kind @param {MediaStream} stream
   */
  play(key, kind, stream) {
    const track = stream.getAudioTracks()[0];
    const old = this.voices.get(key);
    if (old && old.track === track) return;
    if (old) this.stop(key);
    if (!track) return;
    const ctx = this.context;
    const only = new MediaStream([track]);
    // Chromium gives Web Audio a remote track's samples only while a media
    // element plays it too; the element is muted, so it adds nothing.
    const element = new Audio();
    element.muted = true;
    element.srcObject = only;
    element.play().catch(() => {});
    const source = ctx.createMediaStreamSource(only);
    const gain = ctx.createGain();
    gain.gain.value = this.gains[kind];
    const before = ctx.createAnalyser();
    const after = ctx.createAnalyser();
    source.connect(before);
    source.connect(gain).connect(after);
    gain.connect(ctx.destination);
    this.voices.set(key, { kind, track, element, source, gain, before, after });
  }

  /** @param {string} key */
  stop(key) {
    const voice = this.voices.get(key);
    if (!voice) return;
    voice.source.disconnect();
    voice.gain.disconnect();
    voice.element.srcObject = null;
    this.voices.delete(key);
  }

  /** Forget everything keyed by participant `id` (their floor voice and channel). @param {string} id */
  forget(id) {
    for (const key of [...this.voices.keys()]) if (key === id || key.startsWith(`${id}:`)) this.stop(key);
  }

  /**
   * How loud the floor and the channels play now (0..1 each), at once.
   * @param {{floor: number, channel: number}} gains
   */
  setGains(gains) {
    this.gains = { ...gains };
    for (const voice of this.voices.values()) {
      voice.gain.gain.setValueAtTime(this.gains[voice.kind], this.context.currentTime);
    }
  }

  /**
   * The level (RMS of one analyser window, 0..1) of each voice, before and
   * after its gain: what arrives, and what the page plays.
   * @returns {Record<string, {kind: Kind, before: number, after: number}>}
   */
  levels() {
    /** @type {Record<string, {kind: Kind, before: number, after: number}>} */
    const out = {};
    for (const [key, voice] of this.voices) {
      out[key] = { kind: voice.kind, before: rms(voice.before), after: rms(voice.after) };
    }
    return out;
  }

  close() {
    for (const key of [...this.voices.keys()]) this.stop(key);
    if (this.context.state !== 'closed') this.context.close().catch(() => {});
  }
}

/** @param {AnalyserNode} analyser @returns {number} */
function rms(analyser) {
  const samples = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}
