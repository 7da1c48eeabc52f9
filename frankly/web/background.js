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

/** The background is drawn at 1/BLUR_DIVISOR of the frame and scaled back up: a blur that costs little. */
export const BLUR_DIVISOR = 12;

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
 * The size of the small background canvas for a frame (at least 4x4).
 * @param {number} width @param {number} height
 * @returns {{width: number, height: number}}
 */
export function blurSize(width, height) {
  return { width: Math.max(4, Math.round(width / BLUR_DIVISOR)), height: Math.max(4, Math.round(height / BLUR_DIVISOR)) };
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

/** @returns {{frames: number, masks: number, effect: Effect, status: ModelStatus}} for tests and `frankly bench blur` */
export function backgroundStats() {
  const p = live.processor;
  return { frames: p?.frames ?? 0, masks: p?.masks ?? 0, ...backgroundState() };
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
 * @returns {Promise<boolean>} whether a mask came
 */
async function segment(input, wanted, use) {
  const seg = await loadSegmenter();
  if (model !== wanted) {
    seg.setOptions({ modelSelection: wanted });
    await seg.initialize();
    model = wanted;
    setStatus('ready');
  }
  let got = false;
  takeMask = (mask) => {
    got = true;
    use(mask);
  };
  try {
    await seg.send({ image: input });
  } finally {
    takeMask = null;
  }
  return got;
}

// --- drawing ---------------------------------------------------------------------

/** @param {number} width @param {number} height */
function canvas(width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

/** @param {HTMLCanvasElement} c */
function context(c) {
  const ctx = c.getContext('2d');
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
    this.ctx = context(this.frame);
    this.person = canvas(16, 9); // the camera's picture where the mask is
    this.pctx = context(this.person);
    this.back = canvas(4, 4); // the camera's picture, small
    this.bctx = context(this.back);
    this.input = canvas(256, 144); // what the model looks at
    this.ictx = context(this.input);
    this.mask = canvas(256, 144); // the latest mask
    this.mctx = context(this.mask);
    this.masks = 0;
    this.frames = 0;
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
   * Draw one camera frame with the effect, and send it.
   * @param {CanvasImageSource} image @param {number} width @param {number} height @param {number} timestamp µs
   */
  draw(image, width, height, timestamp) {
    this.fit(width, height);
    this.segment(image, width, height);
    const { ctx } = this;
    ctx.globalCompositeOperation = 'copy';
    if (this.effect === 'replace') ctx.drawImage(backdrop(width, height), 0, 0);
    else {
      this.bctx.drawImage(image, 0, 0, this.back.width, this.back.height);
      ctx.drawImage(this.back, 0, 0, width, height);
    }
    if (this.masks > 0) {
      // The person: the mask's alpha (scaled up, so its edge is soft), filled with the frame.
      this.pctx.globalCompositeOperation = 'copy';
      this.pctx.drawImage(this.mask, 0, 0, width, height);
      this.pctx.globalCompositeOperation = 'source-in';
      this.pctx.drawImage(image, 0, 0, width, height);
      ctx.globalCompositeOperation = 'source-over';
      ctx.drawImage(this.person, 0, 0);
    }
    this.out.push(timestamp);
    this.frames += 1;
  }

  /** Follow the camera's size (it may change, as when a phone turns). @param {number} width @param {number} height */
  fit(width, height) {
    if (this.frame.width === width && this.frame.height === height) return;
    this.frame.width = this.person.width = width;
    this.frame.height = this.person.height = height;
    const small = blurSize(width, height);
    this.back.width = small.width;
    this.back.height = small.height;
    // A little more blur on the small picture where the canvas has filters (not every Safari).
    if ('filter' in this.bctx) this.bctx.filter = 'blur(1px)';
  }

  /**
   * Hand the frame to the model unless it is busy; its mask lands in this.mask.
   * @param {CanvasImageSource} image @param {number} width @param {number} height
   */
  segment(image, width, height) {
    if (this.busy || live.status === 'unavailable') return;
    this.busy = true;
    const want = modelFor(width, height);
    this.input.width = want.width;
    this.input.height = want.height;
    this.ictx.drawImage(image, 0, 0, want.width, want.height);
    const use = (/** @type {CanvasImageSource} */ mask) => {
      if (this.mask.width !== want.width || this.mask.height !== want.height) {
        this.mask.width = want.width;
        this.mask.height = want.height;
      }
      this.mctx.globalCompositeOperation = 'copy';
      this.mctx.drawImage(mask, 0, 0, want.width, want.height);
      this.masks += 1;
    };
    segment(this.input, want.model, use)
      .catch(() => setStatus('unavailable')) // the picture stays wholly blurred or replaced
      .finally(() => {
        this.busy = false;
      });
  }
}
