// @ts-check
/**
 * The meeting's tiles: one per participant (ours marked data-self), one
 * per screen share after its owner's, with video, initials when the camera
 * is off, the shown name and dialogue side, an interpreter's badge, mute and
 * connection badges, and reactions that float up. Each tile's height tells
 * the SFU which layer to send. A remote tile's connection words come from
 * what really reaches it: while its video shows frames it is connected,
 * whatever the link's state events said (on the SFU one subscribe connection
 * carries everyone, so its state says nothing about one person's media).
 */

import { t } from '../i18n.js';
import { interpreterBadge } from '../interpretation.js';
import { tileViewHeight } from '../layout.js';
import { labelWithSide, sideOf } from '../roster.js';
import { byId, h, initials } from './dom.js';
import { qualityBadge } from './quality.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 */

const tiles = byId('tiles');

/** @type {(id: string, height: number) => void} */
let onHeight = () => {};

/**
 * On the SFU, each tile's height tells the server which simulcast layer to
 * send it: no more pixels than the tile shows.
 */
const tileSizes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const tile = /** @type {HTMLElement} */ (entry.target);
    const id = tile.dataset.participantId;
    if (id) onHeight(id, tileViewHeight(entry.contentRect.height, window.devicePixelRatio));
  }
});

/** A tile whose video showed no frame for this long no longer counts as receiving. */
const FRAMES_STALE_MS = 3000;

/** The session the tiles were last drawn from: a change in what flows redraws a tile with it. */
/** @type {Session | null} */
let drawn = null;

/**
 * Watch the frames a remote tile's video shows: `data-media` is `flowing`
 * while frames come (requestVideoFrameCallback, and the decoded-frame count
 * where the page is not painted), `none` before the first and after
 * FRAMES_STALE_MS without one. Stops when the tile leaves the stage.
 * @param {HTMLElement} tile @param {HTMLVideoElement} video
 */
function watchFrames(tile, video) {
  if (tile.dataset.media) return; // already watched: the element outlives its streams
  tile.dataset.media = 'none';
  let last = 0;
  let counted = 0;
  const seen = () => {
    last = performance.now();
    if (tile.dataset.media !== 'flowing') mediaChanged(tile, 'flowing');
  };
  const onFrame = () => {
    if (!tile.isConnected) return;
    seen();
    video.requestVideoFrameCallback(onFrame);
  };
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(onFrame);
  const timer = setInterval(() => {
    if (!tile.isConnected) {
      clearInterval(timer);
      return;
    }
    const frames = video.getVideoPlaybackQuality().totalVideoFrames;
    if (frames > counted) seen();
    counted = frames;
    if (tile.dataset.media === 'flowing' && performance.now() - last > FRAMES_STALE_MS) mediaChanged(tile, 'none');
  }, 1000);
}

/** @param {HTMLElement} tile @param {'flowing' | 'none'} media */
function mediaChanged(tile, media) {
  tile.dataset.media = media;
  const p = drawn?.participants.get(tile.dataset.participantId ?? '');
  if (drawn && p) renderTile(drawn, p);
}

/** What "Turn on sound" does: let the mixer's sound out. */
let onSound = () => {};

/** @param {() => void} fn what "Turn on sound" does */
export function onSoundButton(fn) {
  onSound = fn;
}

/** Offer "Turn on sound" on a tile: the browser holds the page's sound back. @param {string} id */
export function offerSound(id) {
  const button = /** @type {HTMLElement | null} */ (tileOf(id)?.querySelector('.tile-sound') ?? null);
  if (button) button.hidden = false;
}

/** The page's sound is out: no tile offers "Turn on sound" any more. */
export function soundOn() {
  for (const b of tiles.querySelectorAll('.tile-sound')) /** @type {HTMLElement} */ (b).hidden = true;
}

/** @param {(id: string, height: number) => void} fn who hears of each tile's video height */
export function onTileHeight(fn) {
  onHeight = fn;
}

/** Empty the stage, and put our own tile on it. @param {string} name @returns {HTMLElement} */
export function resetTiles(name) {
  tiles.replaceChildren();
  const self = makeTile('', name, true);
  tiles.append(self);
  return self;
}

/** @param {string} id @returns {HTMLElement | null} */
export function tileOf(id) {
  return tiles.querySelector(`.tile[data-participant-id="${CSS.escape(id)}"]:not([data-self])`);
}

/** @returns {HTMLElement | null} */
export function selfTile() {
  return tiles.querySelector('.tile[data-self]');
}

/** @param {string} id @returns {HTMLElement | null} */
export function screenTileOf(id) {
  return tiles.querySelector(`.tile[data-screen-of="${CSS.escape(id)}"]`);
}

/** A tile for someone who just came. @param {string} id @param {string} name */
export function addTile(id, name) {
  tiles.append(makeTile(id, name, false));
}

/**
 * @param {string} id
 * @param {string} name
 * @param {boolean} self
 * @returns {HTMLElement}
 */
function makeTile(id, name, self) {
  const tile = h('article', { class: 'tile', 'data-testid': 'tile', 'data-participant-id': id });
  if (self) tile.dataset.self = 'true';
  const video = /** @type {HTMLVideoElement} */ (h('video', { 'data-testid': 'tile-video' }));
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // sound comes through the mixer (mixer.js); never ourselves
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  avatar.append(h('span', { class: 'initials' }, initials(name)));
  const label = h('div', { class: 'tile-label' });
  label.append(
    h('span', { class: 'name', 'data-testid': 'tile-name' }),
    h('span', { class: 'side', 'data-testid': 'tile-side', hidden: '' }),
    // data-i18n: a change of language redraws these words with the page's (language.js).
    h('span', { class: 'badge mic-off', 'data-testid': 'tile-muted', role: 'img', 'aria-label': t('tile.muted'), title: t('tile.muted'), 'data-i18n-attr': 'aria-label:tile.muted;title:tile.muted' }),
    h('span', { class: 'sr-only cam-off', 'data-testid': 'tile-camera-off', 'data-i18n': 'tile.camera_off' }, t('tile.camera_off')),
  );
  const status = h('p', { class: 'tile-status', 'data-testid': 'tile-status', hidden: '' });
  // Said by the tile's own label (labelTile), in words: ⇄ would be read as an arrow.
  const interp = h('p', { class: 'tile-interp', 'data-testid': 'tile-interpreter', 'aria-hidden': 'true', hidden: '' });
  interp.append(h('span', { class: 'tile-interp-pair' }), h('span', { class: 'tile-interp-live', 'data-testid': 'tile-live', 'data-i18n': 'tile.live', hidden: '' }, t('tile.live')));
  const sound = h('button', { type: 'button', class: 'btn btn-small tile-sound', 'data-i18n': 'tile.sound', hidden: '' }, t('tile.sound'));
  sound.addEventListener('click', () => {
    video.play().catch(() => {});
    onSound();
  });
  tile.append(video, avatar, interp, label, status, sound);
  if (id) tile.append(qualityBadge()); // a remote person's network quality (ui/quality.js)
  nameTile(tile, self ? t('tile.you', { name }) : name);
  return tile;
}

/**
 * The name a tile shows (and says to a screen reader).
 * @param {HTMLElement | null} tile @param {string} shown
 */
export function nameTile(tile, shown) {
  if (!tile) return;
  const name = /** @type {HTMLElement} */ (tile.querySelector('.name'));
  if (name.textContent !== shown) name.textContent = shown;
  tile.dataset.shown = shown;
  labelTile(tile);
}

/**
 * What a tile says to a screen reader: the shown name, the side, and what
 * the person interprets. @param {HTMLElement} tile
 */
function labelTile(tile) {
  const label = labelWithSide(tile.dataset.shown ?? '', tile.dataset.side ?? null);
  const interpreter = tile.dataset.interpreter;
  // "Ivan, interpreter between English and Russian": one sentence, so no capital inside.
  tile.setAttribute('aria-label', interpreter ? `${label}, ${interpreter[0].toLowerCase()}${interpreter.slice(1)}` : label);
}

/**
 * Every tile's interpreter badge (ours too), as the room's interpretation
 * says now: `Interpreter en ⇄ ru`, and `live` on the booth's live voice.
 * @param {Session} session
 */
export function renderInterpreters(session) {
  for (const tile of /** @type {NodeListOf<HTMLElement>} */ (tiles.querySelectorAll('.tile:not(.screen-tile)'))) {
    const id = tile.dataset.participantId;
    const badge = id ? interpreterBadge(session.interpretation, id) : null;
    const interp = /** @type {HTMLElement} */ (tile.querySelector('.tile-interp'));
    interp.hidden = !badge;
    /** @type {HTMLElement} */ (interp.querySelector('.tile-interp-pair')).textContent = badge?.pair ?? '';
    /** @type {HTMLElement} */ (interp.querySelector('.tile-interp-live')).hidden = !badge?.live;
    if (badge) tile.dataset.interpreter = badge.spoken;
    else delete tile.dataset.interpreter;
    labelTile(tile);
  }
}

/**
 * The dialogue side a tile shows beside the name (none in a room of no dialogue).
 * @param {HTMLElement | null} tile @param {{side?: string | null}} p
 */
function sideTile(tile, p) {
  if (!tile) return;
  const side = sideOf(p);
  const label = /** @type {HTMLElement} */ (tile.querySelector('.side'));
  if (label.textContent !== (side ?? '')) label.textContent = side ?? '';
  label.hidden = !side;
  if (side) tile.dataset.side = side;
  else delete tile.dataset.side;
  labelTile(tile);
}

/**
 * @param {string} id
 * @param {MediaStream} stream
 */
export function attachStream(id, stream) {
  const tile = tileOf(id);
  const video = /** @type {HTMLVideoElement | null} */ (tile?.querySelector('video') ?? null);
  if (!tile || !video) return;
  if (video.srcObject !== stream) video.srcObject = stream;
  tileSizes.observe(tile);
  watchFrames(tile, video);
  video.play().catch(() => {}); // muted: only a newer load interrupts it
}

/**
 * @param {string} id
 * @param {string} state the peer connection's connectionState
 */
export function setPeerState(id, state) {
  const tile = tileOf(id);
  if (tile) tile.dataset.peerState = state;
}

/** @param {Session} session @param {Participant} p */
export function renderTile(session, p) {
  drawn = session;
  const tile = tileOf(p.id);
  if (!tile) return;
  tile.dataset.audio = p.audio ? 'on' : 'off';
  tile.dataset.video = p.video ? 'on' : 'off';
  tile.dataset.connected = String(p.connected);
  sideTile(tile, p);
  /** @type {HTMLElement} */ (tile.querySelector('.mic-off')).hidden = p.audio;
  /** @type {HTMLElement} */ (tile.querySelector('.cam-off')).hidden = p.video;
  const state = tile.dataset.peerState ?? 'new';
  const status = /** @type {HTMLElement} */ (tile.querySelector('.tile-status'));
  const sealed = session.e2ee.undecryptable(p.id);
  tile.dataset.decrypting = String(!sealed);
  let text = '';
  if (sealed) {
    text = session.e2ee.passphrase ? t('tile.sealed_passphrase') : t('tile.sealed');
  } else if (!p.connected) text = t('conn.reconnecting');
  else if (tile.dataset.media === 'flowing') text = ''; // frames arrive: the media is connected
  else if (state === 'new' || state === 'connecting') text = t('conn.connecting');
  else if (state === 'disconnected') text = t('tile.unstable');
  else if (state === 'failed') text = t('tile.failed');
  status.textContent = text;
  status.hidden = !text;
}

/** Our own tile: our camera, and whether we are muted. @param {Session} session */
export function renderSelfTile(session) {
  const tile = selfTile();
  if (!tile) return;
  const hasVideo = session.localStream.getVideoTracks().length > 0;
  tile.dataset.audio = session.audio ? 'on' : 'off';
  tile.dataset.video = session.video && hasVideo ? 'on' : 'off';
  tile.dataset.connected = 'true';
  sideTile(tile, session.you ?? {});
  /** @type {HTMLElement} */ (tile.querySelector('.mic-off')).hidden = session.audio;
  /** @type {HTMLElement} */ (tile.querySelector('.cam-off')).hidden = session.video;
  const video = /** @type {HTMLVideoElement} */ (tile.querySelector('video'));
  // Re-attach so the element picks up a camera track that came back.
  video.srcObject = null;
  if (hasVideo) {
    video.srcObject = session.localStream;
    video.play().catch(() => {});
  }
}

/** Someone's tiles leave the stage. @param {string} id */
export function removeTiles(id) {
  tileOf(id)?.remove();
  screenTileOf(id)?.remove();
}

/** The active speaker's tile is outlined. @param {string} id */
export function markSpeaker(id) {
  for (const tile of tiles.querySelectorAll('.tile')) {
    /** @type {HTMLElement} */ (tile).classList.toggle('speaking', /** @type {HTMLElement} */ (tile).dataset.participantId === id);
  }
}

/**
 * A reaction floats up from a tile for a few seconds.
 * @param {HTMLElement | null} tile @param {string} emoji
 */
export function floatReaction(tile, emoji) {
  if (!tile) return;
  const bubble = h('span', { class: 'reaction', 'data-testid': 'reaction', 'aria-hidden': 'true' }, emoji);
  tile.append(bubble);
  setTimeout(() => bubble.remove(), 4000);
}

/** @param {string} shown the owner's shown name @returns {string} */
export function screenName(shown) {
  return t('tile.screen', { name: shown });
}

/**
 * A participant's screen share, in its own tile after theirs.
 * @param {string} id @param {MediaStream} stream @param {string} shown the owner's shown name
 */
export function attachScreen(id, stream, shown) {
  let tile = screenTileOf(id);
  if (!tile) {
    tile = makeTile('', screenName(shown), false);
    tile.classList.add('screen-tile');
    tile.dataset.screenOf = id;
    tile.dataset.video = 'on';
    tile.dataset.connected = 'true';
    tile.dataset.testid = 'screen-tile';
    const after = tileOf(id);
    if (after) after.after(tile);
    else tiles.append(tile);
  }
  const video = /** @type {HTMLVideoElement} */ (tile.querySelector('video'));
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {});
}
