// @ts-check
/**
 * Background blur and replace, on this device, before encryption. A camera
 * track goes in (`backgroundTrack`), a processed track comes out, and that is
 * the track the session sends, so E2EE encrypts it like any camera frame and
 * nothing of the raw picture leaves the page. Off by default; the choice is
 * kept on the device (localStorage).
 *
 * The person is found by MediaPipe's selfie segmentation, served by this
 * server from web/vendor/selfie_segmentation/ (scripts/vendor-segmentation)
 * and loaded only when an effect is first chosen. The model runs as fast as
 * it can, apart from the frames: every camera frame is drawn with the latest
 * mask, so a slow model makes the outline lag, never the picture. Until the
 * first mask (and if the model cannot start) the whole picture is blurred or
 * replaced: someone who chose to hide their room never sends it by accident.
 *
 * Frames come from MediaStreamTrackProcessor and leave through
 * MediaStreamTrackGenerator where the browser has them (they keep running in
 * a background tab); elsewhere (Firefox, Safari) from a <video> with
 * requestVideoFrameCallback (or a timer) and canvas.captureStream().
 *
 * The pure functions come first (tests/web/background.test.mjs); nothing
 * touches the DOM when this module loads.
 */

/** @typedef {'none' | 'blur' | 'replace'} Effect */
/** @typedef {'idle' | 'loading' | 'ready' | 'unavailable'} ModelStatus */

/** @type {readonly Effect[]} */
export const EFFECTS = ['none', 'blur', 'replace'];

/** Where the browser keeps the choice. */
export const BACKGROUND_KEY = 'frankly.background';

/** Where the server serves the vendored segmenter. */
const VENDOR = '/static/vendor/selfie_segmentation/';

/**
 * The background is drawn at the model's size (256 wide, a fifth of a 720p
 * frame) with this much blur, then scaled up: about 15 px of blur on the
 * frame for the cost of blurring a thumbnail.
 */
const BLUR = 'blur(3px)';

/**
 * @param {unknown} value what storage or a control holds
 * @returns {Effect} that effect, or 'none' for anything else
 */
export function effectOf(value) {
  return EFFECTS.find((e) => e === value) ?? 'none';
}

/**
 * Which of the package's two models suits a frame, and the size it takes:
 * the landscape model (256x144, quicker) for a wide camera, the general one
 * (256x256) for a phone held upright.
 * @param {number} width @param {number} height
 * @returns {{model: 0 | 1, width: number, height: number}}
 */
export function modelFor(width, height) {
  return width >= height ? { model: 1, width: 256, height: 144 } : { model: 0, width: 256, height: 256 };
}

/**
 * What changing the effect means for the track being sent: 'wrap' puts a
 * processor on the raw camera, 'unwrap' takes it off (the raw camera is sent
 * again, at no cost), 'switch' tells the processor, 'same' does nothing.
 * @param {Effect} from @param {Effect} to
 * @returns {'wrap' | 'unwrap' | 'switch' | 'same'}
 */
export function transition(from, to) {
  if (from === to) return 'same';
  if (from === 'none') return 'wrap';
  if (to === 'none') return 'unwrap';
  return 'switch';
}

/** @returns {Effect} the effect kept on this device ('none' until one is chosen) */
export function rememberedEffect() {
  try {
    return effectOf(localStorage.getItem(BACKGROUND_KEY));
  } catch {
    return 'none'; // no storage (private mode): off
  }
}

// --- the camera in use and the effect on it ------------------------------------

/** @typedef {(old: MediaStreamTrack, now: MediaStreamTrack) => void | Promise<void>} Swap */

const live = {
  /** @type {Effect | null} null until read from storage */
  effect: /** @type {Effect | null} */ (null),
  /** @type {ModelStatus} */
  status: /** @type {ModelStatus} */ ('idle'),
  /** @type {MediaStreamTrack | null} the camera track most recently opened */
  camera: /** @type {MediaStreamTrack | null} */ (null),
  /** @type {Processor | null} the processor on it, when an effect is on */
  processor: /** @type {Processor | null} */ (null),
  /** @type {Swap} who puts a track in place of another: the pre-join screen, then the session */
  owner: /** @type {Swap} */ (() => {}),
  /** @type {Set<() => void>} controls to redraw */
  watchers: new Set(),
};

/** @type {WeakMap<MediaStreamTrack, Processor>} processed tracks, by output */
const processed = new WeakMap();

/** @returns {{effect: Effect, status: ModelStatus}} the effect chosen and whether the model runs */
export function backgroundState() {
  live.effect ??= rememberedEffect();
  return { effect: live.effect, status: live.status };
}

/**
 * The track to send for a camera track just opened: the camera itself when
 * no effect is on, else a processed track whose stop() stops the camera too.
 * @param {MediaStreamTrack} camera
 * @returns {MediaStreamTrack}
 */
export function backgroundTrack(camera) {
  if (processed.has(camera)) return camera; // already ours
  const { effect } = backgroundState();
  live.camera = camera;
  live.processor = effect === 'none' ? null : new Processor(camera, effect);
  return live.processor?.output ?? camera;
}

/**
 * Say who swaps the sent track when the effect goes on or off: the pre-join
 * screen for its preview, then the session for what it sends. The last one
 * set holds the camera.
 * @param {Swap} swap
 */
export function setBackgroundOwner(swap) {
  live.owner = swap;
}

/** @param {() => void} fn called when the effect or the model's status changes @returns {() => void} unwatch */
export function watchBackground(fn) {
  live.watchers.add(fn);
  return () => live.watchers.delete(fn);
}

function changed() {
  for (const fn of live.watchers) fn();
}

/**
 * Choose the effect: kept on the device and put on the camera in use now.
 * @param {Effect} effect
 */
export async function chooseEffect(effect) {
  const from = backgroundState().effect;
  live.effect = effect;
  try {
    localStorage.setItem(BACKGROUND_KEY, effect);
  } catch {
    // private mode: the choice holds for this page only
  }
  changed();
  const camera = live.camera;
  if (!camera || camera.readyState === 'ended') return;
  const step = transition(from, effect);
  if (step === 'switch') live.processor?.setEffect(effect);
  if (step === 'wrap') {
    live.processor = new Processor(camera, effect);
    await live.owner(camera, live.processor.output);
  }
  if (step === 'unwrap' && live.processor) {
    const old = live.processor;
    live.processor = null;
    await live.owner(old.output, camera);
    old.close(false);
  }
}

/**
 * What the processor on the camera has done: frames drawn, masks made, and
 * the milliseconds they took on this page's main thread (for tests and
 * `frankly bench blur`).
 * @returns {{frames: number, masks: number, drawMs: number, segmentMs: number, effect: Effect, status: ModelStatus}}
 */
export function backgroundStats() {
  const p = live.processor;
  return { frames: p?.frames ?? 0, masks: p?.masks ?? 0, drawMs: p?.drawing ?? 0, segmentMs: p?.segmenting ?? 0, ...backgroundState() };
}

// --- the segmenter (MediaPipe's legacy solution, vendored) ------------------------

/**
 * The few members of window.SelfieSegmentation (web/vendor/) used here.
 * @typedef {{setOptions(o: {modelSelection: number}): void, initialize(): Promise<void>,
 *            send(i: {image: HTMLCanvasElement}): Promise<void>,
 *            onResults(fn: (r: {segmentationMask: CanvasImageSource}) => void): void}} Segmenter
 */

/** @type {Promise<Segmenter> | null} */
let segmenter = null;
/** @type {((mask: CanvasImageSource) => void) | null} takes the mask of the frame being segmented */
let takeMask = null;
let model = -1;

/** @returns {Promise<Segmenter>} the segmenter, loaded once, from this server only */
function loadSegmenter() {
  segmenter ??= (async () => {
    setStatus('loading');
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `${VENDOR}selfie_segmentation.js`;
      script.onload = resolve;
      script.onerror = () => reject(new Error('the segmenter did not load'));
      document.head.append(script);
    });
    const Segmentation = /** @type {any} */ (window).SelfieSegmentation;
    /** @type {Segmenter} */
    const seg = new Segmentation({ locateFile: (/** @type {string} */ file) => VENDOR + file });
    // The mask is read at once: the package may reuse it after this callback.
    seg.onResults((r) => takeMask?.(r.segmentationMask));
    return seg;
  })();
  return segmenter;
}

/** @param {ModelStatus} status */
function setStatus(status) {
  live.status = status;
  changed();
}

/**
 * Segment one frame (drawn on `input`); `use` gets its mask. Frames that
 * come while the model is busy are not queued: the next frame is fresher.
 * @param {HTMLCanvasElement} input @param {0 | 1} wanted @param {(mask: CanvasImageSource) => void} use
 * @returns {Promise<number>} the milliseconds the model took on it (loading it not counted)
 */
async function segment(input, wanted, use) {
  const seg = await loadSegmenter();
  if (model !== wanted) {
    seg.setOptions({ modelSelection: wanted });
    await seg.initialize();
    model = wanted;
    setStatus('ready');
  }
  takeMask = use;
  const start = performance.now();
  try {
    await seg.send({ image: input });
  } finally {
    takeMask = null;
  }
  return performance.now() - start;
}

// --- drawing ---------------------------------------------------------------------

/** @param {number} width @param {number} height */
function canvas(width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

/** @param {HTMLCanvasElement} c @param {boolean} [alpha] false for a canvas always wholly painted */
function context(c, alpha = true) {
  const ctx = c.getContext('2d', { alpha });
  if (!ctx) throw new Error('no 2D canvas');
  return ctx;
}

/** @type {Map<string, HTMLCanvasElement>} the replacement background, by size */
const backdrops = new Map();

/**
 * The replacement background: a calm gradient drawn here (no image file),
 * deep blue to teal with a soft light behind the person.
 * @param {number} width @param {number} height
 */
function backdrop(width, height) {
  const key = `${width}x${height}`;
  let c = backdrops.get(key);
  if (c) return c;
  c = canvas(width, height);
  const ctx = context(c);
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#173048');
  sky.addColorStop(1, '#2c6b6e');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  const light = ctx.createRadialGradient(width / 2, height * 0.45, 0, width / 2, height * 0.45, width * 0.6);
  light.addColorStop(0, 'rgba(255, 236, 200, 0.28)');
  light.addColorStop(1, 'rgba(255, 236, 200, 0)');
  ctx.fillStyle = light;
  ctx.fillRect(0, 0, width, height);
  backdrops.clear(); // one size at a time: the camera's
  backdrops.set(key, c);
  return c;
}

/**
 * Where the processed frames leave: a generator track fed VideoFrames, or a
 * canvas capture (which takes a frame each time the canvas is drawn).
 * @param {HTMLCanvasElement} frame
 * @returns {{track: MediaStreamTrack, push: (timestamp: number) => void, close: () => void}}
 */
function outputOf(frame) {
  const Generator = /** @type {any} */ (globalThis).MediaStreamTrackGenerator;
  if (typeof Generator === 'function' && typeof VideoFrame === 'function') {
    const track = new Generator({ kind: 'video' });
    const writer = track.writable.getWriter();
    return {
      track,
      push: (timestamp) => {
        if (writer.desiredSize !== null && writer.desiredSize <= 0) return; // the encoder is behind: drop
        writer.write(new VideoFrame(frame, { timestamp })).catch(() => {});
      },
      close: () => writer.close().catch(() => {}),
    };
  }
  return { track: frame.captureStream().getVideoTracks()[0], push: () => {}, close: () => {} };
}

/** One camera track with an effect on it; `output` is what is sent. */
class Processor {
  /** @param {MediaStreamTrack} camera @param {Effect} effect */
  constructor(camera, effect) {
    this.camera = camera;
    this.effect = effect;
    this.frame = canvas(16, 9); // what is sent, at the camera's size
    this.ctx = context(this.frame, false);
    // At the model's size: the frame, what the model is looking at, the latest
    // mask, and the background with the person cut out.
    this.small = canvas(256, 144);
    this.sctx = context(this.small);
    this.input = canvas(256, 144);
    this.ictx = context(this.input);
    this.mask = canvas(256, 144);
    this.mctx = context(this.mask);
    this.back = canvas(256, 144);
    this.bctx = context(this.back);
    this.tiny = canvas(64, 36); // a blur where the canvas has no filters (older Safari)
    this.tctx = context(this.tiny);
    this.filters = 'filter' in this.bctx;
    this.masks = 0;
    this.frames = 0;
    this.drawing = 0; // ms spent drawing frames, in all
    this.segmenting = 0; // ms the model took, in all
    /** The model's next turn (performance.now()): it rests as long as it worked, so it takes at most half the main thread. */
    this.nextTurn = 0;
    this.busy = false;
    this.open = true;
    /** @type {() => void} */
    this.stopReading = () => {};
    this.out = outputOf(this.frame);
    this.output = this.out.track;
    processed.set(this.output, this);
    this.adopt();
    camera.addEventListener('ended', () => this.close(true));
    void this.run();
  }

  /** The output behaves as the camera would: stop() stops the camera, and it names the camera's device. */
  adopt() {
    const { output, camera } = this;
    const ownSettings = output.getSettings.bind(output);
    const ownStop = output.stop.bind(output);
    output.getSettings = () => ({ ...ownSettings(), deviceId: camera.getSettings().deviceId });
    output.stop = () => {
      ownStop();
      this.close(true);
    };
  }

  /** @param {Effect} effect */
  setEffect(effect) {
    this.effect = effect;
  }

  /** @param {boolean} stopCamera false when the raw camera is sent again */
  close(stopCamera) {
    if (!this.open) return;
    this.open = false;
    this.stopReading();
    this.out.close();
    if (this.output.readyState !== 'ended') this.output.stop();
    if (stopCamera) this.camera.stop();
    if (live.processor === this) live.processor = null;
  }

  async run() {
    const Reader = /** @type {any} */ (globalThis).MediaStreamTrackProcessor;
    if (typeof Reader === 'function') await this.readFrames(new Reader({ track: this.camera }).readable.getReader());
    else this.watchVideo();
  }

  /** @param {ReadableStreamDefaultReader<VideoFrame>} reader */
  async readFrames(reader) {
    this.stopReading = () => void reader.cancel().catch(() => {});
    while (this.open) {
      const { value, done } = await reader.read();
      if (done) break;
      if (this.open) this.draw(value, value.displayWidth, value.displayHeight, value.timestamp);
      value.close();
    }
  }

  /** Where there is no MediaStreamTrackProcessor: a <video> of the camera, each frame as it is shown. */
  watchVideo() {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.camera]);
    void video.play().catch(() => {});
    const next = 'requestVideoFrameCallback' in video ? () => video.requestVideoFrameCallback(tick) : () => setTimeout(tick, 1000 / 30);
    const tick = () => {
      if (!this.open) return;
      if (video.videoWidth) this.draw(video, video.videoWidth, video.videoHeight, Math.round(performance.now() * 1000));
      next();
    };
    next();
    this.stopReading = () => {
      video.srcObject = null;
    };
  }

  /**
   * Draw one camera frame with the effect, and send it: the frame, made small
   * from the full-size copy (the camera's frame is converted once), is what
   * the model sees and what the background is made of; the background
   * (blurred, or the gradient) with the person cut out by the latest mask is
   * scaled up over the frame. Two full-size draws a frame.
   * @param {CanvasImageSource} image @param {number} width @param {number} height @param {number} timestamp µs
   */
  draw(image, width, height, timestamp) {
    const start = performance.now();
    this.fit(width, height);
    const { frame, small, back, bctx, ctx } = this;
    ctx.drawImage(image, 0, 0, width, height);
    this.sctx.drawImage(frame, 0, 0, small.width, small.height);
    this.segment();
    bctx.globalCompositeOperation = 'copy';
    if (this.effect === 'replace') bctx.drawImage(backdrop(back.width, back.height), 0, 0);
    else if (this.filters) {
      bctx.filter = BLUR;
      bctx.drawImage(small, 0, 0);
      bctx.filter = 'none';
    } else {
      this.tctx.drawImage(small, 0, 0, this.tiny.width, this.tiny.height);
      bctx.drawImage(this.tiny, 0, 0, back.width, back.height);
    }
    if (this.masks > 0) {
      bctx.globalCompositeOperation = 'destination-out';
      bctx.drawImage(this.mask, 0, 0);
    }
    // Until the first mask the background is the whole picture.
    ctx.drawImage(back, 0, 0, width, height);
    this.out.push(timestamp);
    this.frames += 1;
    this.drawing += performance.now() - start;
  }

  /** Follow the camera's size (it may change, as when a phone turns). @param {number} width @param {number} height */
  fit(width, height) {
    if (this.frame.width === width && this.frame.height === height) return;
    this.frame.width = width;
    this.frame.height = height;
    const want = modelFor(width, height);
    for (const c of [this.small, this.input, this.mask, this.back]) {
      c.width = want.width;
      c.height = want.height;
    }
    this.masks = 0; // the old mask has the old shape
  }

  /** Hand the small frame to the model unless it is busy or resting; its mask lands in this.mask. */
  segment() {
    if (this.busy || performance.now() < this.nextTurn || live.status === 'unavailable') return;
    this.busy = true;
    const { input, mask } = this;
    this.ictx.drawImage(this.small, 0, 0); // a copy: the model may read it after this frame
    const use = (/** @type {CanvasImageSource} */ got) => {
      this.mctx.globalCompositeOperation = 'copy';
      this.mctx.drawImage(got, 0, 0, mask.width, mask.height);
      this.masks += 1;
    };
    segment(input, modelFor(this.frame.width, this.frame.height).model, use)
      .then((took) => {
        this.segmenting += took;
        this.nextTurn = performance.now() + took;
      })
      .catch(() => setStatus('unavailable')) // the picture stays wholly blurred or replaced
      .finally(() => {
        this.busy = false;
      });
  }
}
