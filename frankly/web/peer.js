// @ts-check
/**
 * One RTCPeerConnection to one remote participant, for a room of two (peer
 * to peer): perfect negotiation over `signal` messages, ICE restart, a
 * screen share as a second stream. The Python SDK's counterpart is
 * frankly/client/peer.py.
 */

import { Emitter } from './emitter.js';
import { watchIce } from './icewatch.js';
import { withQuality } from './sfu.js';
import { withoutStrayCodecLines } from './sdp.js';
import { inboundTotals } from './stats.js';

/**
 * @typedef {import('./signaling.js').Description} Description
 * @typedef {import('./signaling.js').SignalPayload} SignalPayload
 * @typedef {import('./signaling.js').SignalMessage} SignalMessage
 * @typedef {{protect: (pc: RTCPeerConnection, peerId?: string) => void, pcOptions: RTCConfiguration}} Protector
 *   what encrypts a connection's media (e2ee/keys.js's E2ee)
 */

/**
 * One RTCPeerConnection to one remote participant, negotiated with the
 * perfect-negotiation pattern. The polite side (the higher id) rolls back on
 * a collision; the impolite side ignores the colliding offer and restarts
 * ICE when the path is lost (failed, or disconnected for a few seconds). Events: track ({track, stream}), state (the
 * connectionState), error (Error).
 */
export class PeerLink extends Emitter {
  /**
   * @param {{selfId: string, peerId: string, iceServers?: RTCIceServer[], relayOnly?: boolean,
   *          stream: MediaStream, sendSignal: (payload: SignalPayload) => void,
   *          e2ee?: Protector}} opts
   */
  constructor(opts) {
    super();
    this.peerId = opts.peerId;
    this.polite = opts.selfId > opts.peerId;
    this.sendSignal = opts.sendSignal;
    // max-bundle: one transport (one set of candidates) for audio and video.
    // No candidate pool (iceCandidatePoolSize): after peers came and left at
    // once, Chromium's pooled gathering sometimes never yielded a candidate,
    // and a polite receive-only page stayed at ICE "new" for good (about 1
    // call in 10 with SDK peers joining and leaving in a loop); joins are no
    // slower without it (docs/benchmarks.md).
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers ?? [],
      iceTransportPolicy: opts.relayOnly ? 'relay' : 'all', // relay: hide our address
      bundlePolicy: 'max-bundle',
      ...opts.e2ee?.pcOptions,
    });
    /** Encrypts what we send and decrypts what we receive (e2ee/keys.js). */
    this.e2ee = opts.e2ee ?? null;
    /** Everything this peer sends us, in one stream for a <video>... */
    this.remoteStream = new MediaStream();
    /** ...except its screen share, which comes in the stream of this id. */
    /** @type {string | null} */
    this.screenStreamId = null;
    this.remoteScreen = new MediaStream();
    this.makingOffer = false;
    this.ignoreOffer = false;
    /** Whether the other side has made an offer yet (see negotiate). */
    this.heardOffer = false;
    this.closed = false;
    /** Incoming signals are handled one at a time, in order. */
    this.inbox = Promise.resolve();
    /** Local candidates gathered so far. */
    this.gathered = 0;
    /** @type {Set<RTCRtpSender>} the senders of our screen share */
    this.screenSenders = new Set();

    const pc = this.pc;
    pc.onnegotiationneeded = () => this.negotiate();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.gathered += 1;
      if (!this.closed) this.sendSignal({ candidate: candidate ? candidate.toJSON() : null });
    };
    pc.ontrack = ({ track, streams }) => {
      if (streams[0] && streams[0].id === this.screenStreamId) {
        for (const old of this.remoteScreen.getTracks()) {
          if (old.kind === track.kind) this.remoteScreen.removeTrack(old);
        }
        this.remoteScreen.addTrack(track);
        this.emit('screen', { track, stream: this.remoteScreen });
        return;
      }
      this.remoteStream.addTrack(track);
      this.emit('track', { track, stream: this.remoteStream });
    };
    /** ICE restarts this side began (tests read it). */
    this.iceRestarts = 0;
    // A lost path (icewatch.js): the impolite side restarts, so the two
    // sides do not both offer for it; the restart offer goes out through
    // negotiationneeded like any other.
    this.unwatchIce = watchIce(pc, () => {
      if (this.polite || this.closed) return;
      this.iceRestarts += 1;
      pc.restartIce();
    });
    pc.onconnectionstatechange = () => this.emit('state', pc.connectionState);
    // addTrack (not addTransceiver) so these senders pair with the m-lines
    // of a remote offer if the other side's offer wins.
    const tracks = opts.stream.getTracks();
    for (const track of tracks) pc.addTrack(track, opts.stream);
    // The impolite side offers even with nothing to send: a polite peer that
    // cannot roll back (the Python SDK) never offers, so a receive-only
    // browser facing it would otherwise wait forever. A kind we do not send
    // gets a receive-only m-line; a later addTrack of that kind reuses it.
    if (!this.polite) {
      for (const kind of ['audio', 'video']) {
        if (!tracks.some((t) => t.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
    this.e2ee?.protect(pc, opts.peerId); // all it receives is this peer's
  }

  /** @returns {RTCPeerConnectionState} */
  get state() {
    return this.pc.connectionState;
  }

  async negotiate() {
    if (this.closed) return;
    // The impolite side always makes the first offer (docs/protocol.md). The
    // polite side waits for it: no collision at the start of every call, and
    // so no rollback, which costs Chromium up to a second (offerGathered).
    // Anything still unnegotiated fires negotiationneeded again once stable.
    if (this.polite && !this.heardOffer) return;
    try {
      this.makingOffer = true;
      this.e2ee?.protect(this.pc);
      await this.pc.setLocalDescription();
      this.sendDescription();
    } catch (err) {
      this.fail(err);
    } finally {
      this.makingOffer = false;
    }
  }

  sendDescription() {
    const d = this.pc.localDescription;
    if (!d || this.closed) return;
    const type = /** @type {Description['type']} */ (d.type); // never 'pranswer' here
    // Tidied for the other browser (sdp.js); what we set locally stays as made.
    this.sendSignal({ description: { type, sdp: withoutStrayCodecLines(d.sdp) } });
  }

  /** @param {SignalMessage} msg */
  handleSignal(msg) {
    this.inbox = this.inbox.then(() => this.receive(msg)).catch((err) => this.fail(err));
  }

  /** @param {SignalMessage} msg */
  async receive(msg) {
    if (this.closed) return;
    const pc = this.pc;
    const d = msg.description;
    if (d) {
      if (d.type === 'rollback') {
        if (pc.signalingState === 'have-remote-offer') await pc.setRemoteDescription(d);
        return;
      }
      const collision = d.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      if (collision) await this.offerGathered();
      // An answer that no offer of ours is waiting for (a duplicate) changes nothing.
      if (d.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
      // Tidied on the way in too, for a peer whose client does not tidy its own (sdp.js).
      const sdp = withoutStrayCodecLines(d.sdp ?? '');
      await pc.setRemoteDescription({ type: d.type, sdp }); // rolls back if needed
      if (d.type === 'offer') {
        this.heardOffer = true;
        this.e2ee?.protect(pc); // transceivers the offer made
        await pc.setLocalDescription();
        this.sendDescription();
      }
    } else if (msg.candidate !== undefined) {
      try {
        if (msg.candidate) await pc.addIceCandidate(msg.candidate);
        else await pc.addIceCandidate();
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
    }
  }

  /**
   * Cap our camera's bitrate when saving bandwidth, or lift the cap
   * (sfu.js withQuality): no renegotiation.
   * @param {import('./sfu.js').VideoQuality} quality
   */
  async setQuality(quality) {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === 'video');
    if (sender && !this.closed) await sender.setParameters(withQuality(sender.getParameters(), quality));
  }

  /**
   * Send `track` as our `kind` (null sends nothing, keeping the sender). When
   * no sender of that kind has sent before, add the track: that renegotiates.
   * @param {'audio' | 'video'} kind
   * @param {MediaStreamTrack | null} track
   * @param {MediaStream} stream
   */
  async setTrack(kind, track, stream) {
    if (this.closed) return;
    const sending = this.pc
      .getTransceivers()
      .find(
        (t) =>
          t.receiver.track.kind === kind &&
          (t.direction === 'sendrecv' || t.direction === 'sendonly'),
      );
    if (sending) await sending.sender.replaceTrack(track);
    else if (track) {
      this.pc.addTrack(track, stream);
      this.e2ee?.protect(this.pc);
    }
  }

  /**
   * Send a screen share's tracks (null: stop sending them). Renegotiates.
   * @param {MediaStream | null} screen
   */
  setScreen(screen) {
    if (this.closed) return;
    const ours = new Set(screen?.getTracks() ?? []);
    for (const sender of this.pc.getSenders()) {
      if (sender.track && this.screenSenders.has(sender) && !ours.has(sender.track)) {
        this.pc.removeTrack(sender);
        this.screenSenders.delete(sender);
      }
    }
    const sent = new Set(this.pc.getSenders().map((s) => s.track));
    for (const track of ours) {
      if (!sent.has(track) && screen) this.screenSenders.add(this.pc.addTrack(track, screen));
    }
    this.e2ee?.protect(this.pc);
  }

  /**
   * Settles once our pending offer is set and has gathered its first
   * candidate (or 1 s passed). Chromium leaves ICE gathering hung for good
   * when an offer is rolled back before its first candidate, which is what an
   * offer collision at the very start of a call does to the polite side (seen
   * in about 4 calls out of 10 before this wait). The polite side never makes
   * ICE-restart offers, so counting candidates since the start is enough.
   * @returns {Promise<void>}
   */
  async offerGathered() {
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline && !this.closed) {
      const pc = this.pc;
      const offered = !this.makingOffer && pc.signalingState === 'have-local-offer';
      if (offered && (this.gathered > 0 || pc.iceGatheringState === 'complete')) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** @param {unknown} err */
  fail(err) {
    console.warn(`frankly: negotiation with ${this.peerId} failed`, err);
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.unwatchIce();
    this.pc.close();
    for (const track of this.remoteStream.getTracks()) track.stop();
    this.emit('state', this.pc.connectionState);
  }

  /**
   * Totals of what we receive from this peer, from pc.getStats().
   * @returns {Promise<{video: {framesDecoded: number, packetsReceived: number, bytesReceived: number},
   *                    audio: {packetsReceived: number, bytesReceived: number}}>}
   */
  inboundStats() {
    return inboundTotals(this.pc);
  }
}
