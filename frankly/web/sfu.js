// @ts-check
// The client side of a room on the SFU (docs/protocol.md, "Group meetings").
//
// Two peer connections with the server: *publish*, which this client offers
// and which sends its camera and microphone (video as three simulcast
// layers), and *subscribe*, which the server offers and which carries
// everyone else's tracks. Only one side offers on each, so there is no
// offer collision to resolve, unlike peer to peer.

import { Emitter } from './emitter.js';
import { watchIce } from './icewatch.js';
import { clampHeight } from './layout.js';
import { msidTrackOf } from './interpretation.js';
import { inboundTotals } from './stats.js';

import { CHANNEL_SUFFIX, Msg, SCREEN_SUFFIX } from './wire.js';

/**
 * The SFU names a screen share's stream after its participant, plus
 * SCREEN_SUFFIX, and an interpreter's channel track plus CHANNEL_SUFFIX.
 */
export { CHANNEL_SUFFIX, SCREEN_SUFFIX };

/**
 * Whose media a stream of the SFU's subscribe offer carries: the SFU names
 * each stream (its msid) after the participant who publishes it, with
 * SCREEN_SUFFIX for a screen share and CHANNEL_SUFFIX for an interpreter's
 * channel (docs/protocol.md, "How an interpreter's audio is routed").
 * @param {string} streamId
 * @returns {{id: string, screen: boolean, channel: boolean}}
 */
export function streamOwner(streamId) {
  for (const [suffix, screen] of /** @type {const} */ ([[SCREEN_SUFFIX, true], [CHANNEL_SUFFIX, false]])) {
    if (streamId.endsWith(suffix) && streamId.length > suffix.length) {
      return { id: streamId.slice(0, -suffix.length), screen, channel: !screen };
    }
  }
  return { id: streamId, screen: false, channel: false };
}

/**
 * Simulcast layers, low to high as the SFU orders them. The SFU picks one per
 * subscriber from its tile size and bandwidth.
 * @type {RTCRtpEncodingParameters[]}
 */
export const SIMULCAST = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/**
 * The camera size asked for (ideal, so a camera that cannot still opens):
 * 1280×720 gives the three layers 320×180, 640×360 and 1280×720. At
 * Chrome's default 640×480 it sends only the two lower layers (160×120 and
 * 320×240: the top one's bitrate is 0), too few pixels for a tile of today.
 * @type {MediaTrackConstraints}
 */
export const CAMERA_SIZE = { width: { ideal: 1280 }, height: { ideal: 720 } };

/**
 * The video quality a person prefers (the settings dialog keeps it on the
 * device): 'best' sends CAMERA_SIZE in three layers; 'save' opens the
 * camera at SAVE_SIZE and sends two layers at lower caps (SIMULCAST_SAVE).
 * @typedef {'best' | 'save'} VideoQuality
 */

/** Save bandwidth: the camera at 640×360. @type {MediaTrackConstraints} */
export const SAVE_SIZE = { width: { ideal: 640 }, height: { ideal: 360 } };

/**
 * Save bandwidth on the SFU: 320×180 and 640×360 from a 640×360 camera, the
 * top rid off. The rids stay (a sender's encodings cannot change in number
 * or name once negotiated), so switching back and forth is setParameters
 * alone. Chrome sends two layers at 640×360 anyway; these are the two.
 * @type {RTCRtpEncodingParameters[]}
 */
export const SIMULCAST_SAVE = [
  { rid: 'q', scaleResolutionDownBy: 2, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 400_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 400_000, active: false },
];

/** Peer to peer there is one encoding: capped when saving bandwidth, else as the browser likes. */
export const P2P_SAVE_BITRATE = 500_000;

/** @param {VideoQuality} quality @returns {MediaTrackConstraints} the camera size asked for */
export function cameraSize(quality) {
  return quality === 'save' ? SAVE_SIZE : CAMERA_SIZE;
}

/** @param {VideoQuality} quality @returns {RTCRtpEncodingParameters[]} the SFU layers sent */
export function simulcastFor(quality) {
  return quality === 'save' ? SIMULCAST_SAVE : SIMULCAST;
}

/**
 * A sender's parameters with the layers of `quality`, matched by rid (one
 * encoding without simulcast: only its bitrate cap changes).
 * @param {RTCRtpSendParameters} params @param {VideoQuality} quality
 * @returns {RTCRtpSendParameters}
 */
export function withQuality(params, quality) {
  const layers = simulcastFor(quality);
  for (const encoding of params.encodings) {
    const layer = layers.find((l) => l.rid === encoding.rid);
    if (layer) Object.assign(encoding, { active: true, ...layer });
    else if (quality === 'save') encoding.maxBitrate = P2P_SAVE_BITRATE;
    else delete encoding.maxBitrate;
  }
  return params;
}

/**
 * @typedef {{type: 'sfu', pc: 'publish' | 'subscribe',
 *            description: RTCSessionDescriptionInit}} SfuMessage
 */

/**
 * Events: track ({participantId, track, stream}), state (publish or subscribe
 * connectionState: {pc, state}), offered () (a publish offer went out),
 * error (Error).
 */
export class SfuLink extends Emitter {
  /**
   * @param {{send: (msg: {type: string} & Record<string, unknown>) => void, stream: MediaStream,
   *          iceServers?: RTCIceServer[], relayOnly?: boolean, simulcast?: boolean,
   *          e2ee?: import('./peer.js').Protector, quality?: VideoQuality}} opts
   */
  constructor(opts) {
    super();
    this.send = opts.send;
    this.simulcast = opts.simulcast ?? true;
    /** @type {VideoQuality} the layers our camera is sent in */
    this.quality = opts.quality ?? 'best';
    const config = {
      iceServers: opts.iceServers ?? [],
      iceTransportPolicy: /** @type {RTCIceTransportPolicy} */ (opts.relayOnly ? 'relay' : 'all'), // relay: hide our address
      bundlePolicy: /** @type {const} */ ('max-bundle'),
      ...opts.e2ee?.pcOptions,
    };
    /** Encrypts what we publish and decrypts what we receive (e2ee/keys.js). */
    this.e2ee = opts.e2ee ?? null;
    this.publishPc = new RTCPeerConnection(config);
    this.subscribePc = new RTCPeerConnection(config);
    /** One stream per remote participant, keyed by participant id. */
    /** @type {Map<string, MediaStream>} */
    this.streams = new Map();
    this.offering = false;
    this.offerAgain = false;
    this.closed = false;
    /** Messages from the server are handled one at a time, in order. */
    this.inbox = Promise.resolve();
    /** @type {Map<string, RTCRtpSender>} the sender of each kind */
    this.senders = new Map();
    /** @type {RTCRtpTransceiver[]} those carrying our screen share */
    this.screenTransceivers = [];
    /** @type {RTCRtpTransceiver | null} our interpretation's track, apart from the microphone */
    this.channelTransceiver = null;

    this.publishPc.onnegotiationneeded = () => this.offer();
    this.subscribePc.ontrack = (event) => this.onTrack(event);
    for (const [name, pc] of /** @type {const} */ ([['publish', this.publishPc], ['subscribe', this.subscribePc]])) {
      pc.onconnectionstatechange = () => this.emit('state', { pc: name, state: pc.connectionState });
    }
    /** ICE restarts begun, per connection (tests read them). */
    this.iceRestarts = { publish: 0, subscribe: 0 };
    // A lost path (icewatch.js). We offer the publish connection, so we
    // restart it ourselves; the SFU offers the subscribe one, so we ask it
    // to (sfu-restart). Either way the SFU answers with new credentials and
    // follows our checks to whichever path works (docs/protocol.md).
    this.unwatch = [
      watchIce(this.publishPc, () => {
        if (this.closed) return;
        this.iceRestarts.publish += 1;
        this.publishPc.restartIce();
      }),
      watchIce(this.subscribePc, () => {
        if (this.closed) return;
        this.iceRestarts.subscribe += 1;
        this.send({ type: Msg.SFU_RESTART });
      }),
    ];
    for (const track of opts.stream.getTracks()) this.setTrack(track.kind, track);
  }

  /**
   * Send this track as the given kind, or stop sending it (null). A kind not
   * yet sent gets a new transceiver, which renegotiates.
   * @param {string} kind 'audio' | 'video'
   * @param {MediaStreamTrack | null} track
   */
  async setTrack(kind, track) {
    const sender = this.senders.get(kind);
    if (sender) {
      await sender.replaceTrack(track);
      return;
    }
    if (!track) return;
    /** @type {RTCRtpTransceiverInit} */
    const init = { direction: 'sendonly' };
    if (kind === 'video' && this.simulcast) init.sendEncodings = simulcastFor(this.quality).map((e) => ({ ...e }));
    const transceiver = this.publishPc.addTransceiver(track, init);
    this.senders.set(kind, transceiver.sender);
    this.e2ee?.protect(this.publishPc);
  }

  /**
   * Send our camera in the layers of `quality` from now on, without renegotiating.
   * @param {VideoQuality} quality
   */
  async setQuality(quality) {
    this.quality = quality;
    const sender = this.senders.get('video');
    if (sender && !this.closed) await sender.setParameters(withQuality(sender.getParameters(), quality));
  }

  /**
   * Publish a screen share (one layer: text must stay sharp) or stop (null).
   * Its stream id, announced beforehand, tells the SFU it is a screen.
   * @param {MediaStream | null} screen
   */
  setScreen(screen) {
    for (const t of this.screenTransceivers) this.publishPc.removeTrack(t.sender); // sendonly -> inactive
    this.screenTransceivers = [];
    if (!screen || this.closed) return;
    for (const track of screen.getTracks()) {
      this.screenTransceivers.push(this.publishPc.addTransceiver(track, { direction: 'sendonly', streams: [screen] }));
    }
    this.e2ee?.protect(this.publishPc);
  }

  /**
   * Publish an interpreter's channel track (its id announced first, over
   * signaling), or stop sending it (null). Its m-line stays once made, so
   * a later track replaces it without renegotiation.
   * @param {MediaStreamTrack | null} track
   */
  async setChannel(track) {
    if (this.closed) return;
    if (this.channelTransceiver) {
      await this.channelTransceiver.sender.replaceTrack(track);
      return;
    }
    if (!track) return;
    this.channelTransceiver = this.publishPc.addTransceiver(track, { direction: 'sendonly' });
    this.e2ee?.protect(this.publishPc);
  }

  /**
   * The msid track id our channel track goes by in the offer we last made
   * (what the SFU knows it by), or null before there is one.
   * @returns {string | null}
   */
  channelMsid() {
    const mid = this.channelTransceiver?.mid;
    const sdp = this.publishPc.localDescription?.sdp;
    return mid && sdp ? msidTrackOf(sdp, mid) : null;
  }

  /** Offer the publish connection; one offer in flight at a time. */
  async offer() {
    if (this.closed) return;
    if (this.offering) {
      this.offerAgain = true;
      return;
    }
    this.offering = true;
    try {
      await this.publishPc.setLocalDescription();
      const description = this.publishPc.localDescription;
      if (description) this.send({ type: Msg.SFU, pc: 'publish', description: description.toJSON() });
      this.emit('offered');
    } catch (err) {
      this.offering = false;
      this.emit('error', err);
    }
  }

  /** @param {SfuMessage} msg a message of type 'sfu' from the server */
  handle(msg) {
    this.inbox = this.inbox.then(() => this.apply(msg)).catch((err) => this.emit('error', err));
  }

  /** @param {SfuMessage} msg */
  async apply(msg) {
    if (this.closed) return;
    if (msg.pc === 'publish' && msg.description.type === 'answer') {
      await this.publishPc.setRemoteDescription(msg.description);
      // The SFU's answer lists every rid unpaused (`a=simulcast:recv q;h;f`),
      // which turns the layer saving bandwidth had paused back on.
      if (this.quality !== 'best') await this.setQuality(this.quality);
      this.offering = false;
      if (this.offerAgain) {
        this.offerAgain = false;
        await this.offer();
      }
    } else if (msg.pc === 'subscribe' && msg.description.type === 'offer') {
      await this.subscribePc.setRemoteDescription(msg.description);
      this.e2ee?.protect(this.subscribePc); // before any frame of a new track arrives
      await this.subscribePc.setLocalDescription();
      const answer = this.subscribePc.localDescription;
      if (answer) this.send({ type: Msg.SFU, pc: 'subscribe', description: answer.toJSON() });
    }
  }

  /** @param {RTCTrackEvent} event */
  onTrack(event) {
    // The SFU names each stream after the participant who publishes it.
    const participantId = event.streams[0]?.id;
    if (!participantId) return;
    // A reused m-line brings its receiver's track to its new publisher.
    for (const [id, other] of this.streams) {
      if (id !== participantId && other.getTracks().includes(event.track)) other.removeTrack(event.track);
    }
    let stream = this.streams.get(participantId);
    if (!stream) this.streams.set(participantId, (stream = new MediaStream()));
    for (const old of stream.getTracks()) {
      if (old.kind === event.track.kind && old !== event.track) stream.removeTrack(old);
    }
    if (!stream.getTracks().includes(event.track)) stream.addTrack(event.track);
    this.emit('track', { participantId, track: event.track, stream });
  }

  /**
   * Tell the SFU how many pixels high a participant's video is shown, so it
   * sends the simulcast layer that fills the tile and no more.
   * @param {string} participantId
   * @param {number} height CSS pixels times devicePixelRatio; 0 when hidden
   */
  view(participantId, height) {
    this.send({ type: Msg.VIEW, id: participantId, height: clampHeight(height) });
  }

  /**
   * Receive totals of one participant's tracks, in PeerLink.inboundStats's shape.
   * @param {string} participantId
   */
  inboundStats(participantId) {
    const mids = this.midsOf(participantId);
    return inboundTotals(this.subscribePc, (mid) => mids.has(mid));
  }

  /**
   * The mids of the subscribe connection that carry one participant's tracks.
   * By mid, not track id: the SFU names its tracks by kind and the
   * publisher's mid, so two publishers' tracks may share an id here.
   * @param {string} participantId
   * @returns {Set<string>}
   */
  midsOf(participantId) {
    const tracks = new Set(this.streams.get(participantId)?.getTracks() ?? []);
    return new Set(
      this.subscribePc
        .getTransceivers()
        .filter((t) => t.mid !== null && tracks.has(t.receiver.track))
        .map((t) => String(t.mid)),
    );
  }

  /** @param {string} participantId */
  forget(participantId) {
    this.streams.delete(participantId);
  }

  close() {
    this.closed = true;
    for (const stop of this.unwatch) stop();
    this.publishPc.close();
    this.subscribePc.close();
    this.streams.clear();
  }
}
