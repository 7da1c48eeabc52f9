// @ts-check
/**
 * Frankly client library: the signaling protocol (docs/protocol.md, version 1)
 * and peer-to-peer media, with no user interface.
 *
 *   SignalingClient  one WebSocket to /ws: hello/welcome, resume after a drop
 *                    with backoff, ping, dead-socket detection, close codes.
 *   PeerLink         one RTCPeerConnection to one remote participant, driven
 *                    by the perfect-negotiation pattern over `signal` messages.
 *   Session          a joined participant: a SignalingClient, the local
 *                    stream, a PeerLink per remote participant (or an
 *                    SfuLink), and E2ee (e2ee/keys.js), which encrypts all
 *                    of their media and the chat.
 *
 * The UI (app.js) only calls Session methods and listens to its events.
 */

import { E2ee, e2eeSupported } from './e2ee/keys.js';
import { Emitter } from './emitter.js';
import { SfuLink } from './sfu.js';
import { inboundTotals } from './stats.js';

export { Emitter, e2eeSupported };

export const PROTOCOL_VERSION = 1;
export const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Close codes after which the client must not reconnect (docs/protocol.md). */
export const FINAL_CLOSE_CODES = new Set([1000, 1009, 4000, 4400, 4401, 4403, 4409, 4410, 4422, 4429]);

/** Error codes after which the server closes the connection (docs/protocol.md). */
export const FATAL_ERROR_CODES = new Set([
  'unsupported-version',
  'invalid-room',
  'room-full',
  'protocol-violation',
  'flooding',
  'timeout',
  'denied',
  'removed',
  'invite-expired',
  'invite-wrong-room',
  'invite-invalid',
  'password-required',
  'wrong-password',
  'too-many-attempts',
  'human-check-required',
  'human-check-failed',
]);

/** The SFU names a screen share's stream after its participant, plus this. */
export const SCREEN_SUFFIX = ':screen';

/** The reactions the server relays (docs/protocol.md). */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉', '🙏', '✋'];

/** Host actions on one participant (docs/protocol.md, moderate). */
export const MODERATION = ['mute', 'ask-unmute', 'stop-video', 'stop-screen', 'remove', 'make-host', 'lower-hand'];

/** Silence from the server after which a socket is treated as dead. */
export const DEAD_AFTER_MS = 20_000;
export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 5_000;
/** Failed reconnect attempts in a row after which we call ourselves offline. */
const OFFLINE_AFTER_ATTEMPTS = 3;
/** Signals kept while the socket is away, sent once it resumes. */
const MAX_QUEUED_SIGNALS = 200;

/**
 * @typedef {{id: string, name: string, audio: boolean, video: boolean, connected: boolean,
 *            role?: string, hand?: number | null, screen?: boolean, screen_stream?: string | null}} Participant
 * @typedef {{type: 'chat', id: number, from: string, name: string, text?: string, sealed?: string, ts: number}} ChatWire
 * @typedef {{type: 'chat', id: number, from: string, name: string, text: string, ts: number,
 *            privacy: 'encrypted' | 'unreadable' | 'plain'}} ChatMessage
 *   `privacy`: opened with the sender's key; sealed with a key we never held
 *   (sent before we came); or sent unencrypted by a tool that does not seal
 * @typedef {{type: 'error', code: string, message: string, ref?: string}} ErrorMessage
 * @typedef {{
 *   type: 'welcome', version: number, room: string, you: Participant,
 *   resume: string, resumed: boolean, participants: Participant[],
 *   chat: ChatMessage[], mode: string, max_participants: number,
 *   ice_servers: RTCIceServer[], ping_interval: number, timeout: number,
 *   settings?: RoomSettings, knocks?: Knock[]
 * }} Welcome
 * @typedef {{type: 'offer' | 'answer' | 'rollback', sdp?: string}} Description
 * @typedef {{description: Description} | {candidate: RTCIceCandidateInit | null}} SignalPayload
 * @typedef {{type: 'signal', from: string, description?: Description, candidate?: RTCIceCandidateInit | null}} SignalMessage
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed'} ConnectionState
 * @typedef {{code: number, reason: string, error: ErrorMessage | null}} Ended
 * @typedef {{invite?: string, password?: string, proof?: string, device?: string}} Credentials
 *   optional hello fields for rooms with invitations, passwords and a human check
 * @typedef {{lobby: boolean, locked: boolean, password: boolean}} RoomSettings
 * @typedef {{id: string, name: string, returning: boolean}} Knock
 * @typedef {{protect: (pc: RTCPeerConnection, peerId?: string) => void, pcOptions: RTCConfiguration}} Protector
 *   what encrypts a connection's media (e2ee/keys.js's E2ee)
 *   Why a connection ended for good: the close code, and the fatal error the
 *   server sent before closing, if any.
 */

/** @param {string} name @returns {boolean} */
export function isValidRoom(name) {
  return ROOM_RE.test(name);
}

/**
 * The room named by what someone typed: a bare name or a pasted link.
 * @param {string} input
 * @param {string} [base] the origin to resolve relative links against
 * @returns {string | null} the room name, or null when there is none
 */
export function roomFromInput(input, base = 'http://localhost') {
  const text = input.trim();
  if (!text) return null;
  let name = text;
  if (text.includes('/')) {
    try {
      const path = new URL(text, base).pathname.replace(/\/+$/, '');
      name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    } catch {
      return null;
    }
  }
  return isValidRoom(name) ? name : null;
}

/**
 * An unguessable room name such as `k3rt-9wq2-mzha`: 12 characters from a
 * 32-letter alphabet without look-alikes, so 60 random bits.
 * @returns {string}
 */
export function newRoomName() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const chars = Array.from(bytes, (b) => alphabet[b & 31]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/**
 * The signaling URL of the server that served this page.
 * @param {{protocol: string, host: string}} loc
 * @returns {string}
 */
export function signalingUrl(loc) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

// --- signaling ---------------------------------------------------------------

/**
 * One participant's signaling connection. Events:
 *   state (ConnectionState), welcome (Welcome), joined, updated, left, chat,
 *   signal, pong, error (ErrorMessage), ended (Ended), retry ({delay, attempt}).
 * After a drop it reconnects by itself and resumes with the token from the
 * last welcome; it stops for good on the close codes of FINAL_CLOSE_CODES.
 */
export class SignalingClient extends Emitter {
  /**
   * @param {{url: string, room: string, name: string, audio?: boolean, video?: boolean,
   *          deadAfterMs?: number, credentials?: Credentials}} opts
   */
  constructor(opts) {
    super();
    this.url = opts.url;
    this.room = opts.room;
    this.name = opts.name;
    /** What a fresh join shows the server: invite, password, proof, device. */
    this.credentials = opts.credentials ?? {};
    /** What the next hello announces; Session keeps these current. */
    this.audio = opts.audio ?? true;
    this.video = opts.video ?? true;
    this.deadAfterMs = opts.deadAfterMs ?? DEAD_AFTER_MS;
    /** @type {ConnectionState} */
    this.state = 'idle';
    /** @type {WebSocket | null} */
    this.ws = null;
    /** Whether the current socket got its welcome. */
    this.joined = false;
    /** Whether any socket ever got a welcome (so there is something to resume). */
    this.everJoined = false;
    /** @type {string | null} */
    this.resumeToken = null;
    /** @type {Participant | null} */
    this.you = null;
    /** @type {ErrorMessage | null} the last error the server sent */
    this.lastError = null;
    this.attempt = 0;
    this.pingMs = 10_000;
    this.pingN = 0;
    this.lastHeard = 0;
    this.stopped = false;
    /** @type {object[]} signals waiting for the socket to come back */
    this.queued = [];
    /** @type {ReturnType<typeof setInterval> | undefined} */ this.pingTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */ this.watchTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */ this.retryTimer = undefined;
    this.onOnline = () => {
      if (this.retryTimer !== undefined) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        this.open();
      }
    };
  }

  /** Open the connection (and keep it open until leave() or close()). */
  connect() {
    if (this.ws || this.stopped) return;
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    this.setState('connecting');
    this.open();
  }

  /**
   * Send one message now. Returns false when there is no joined socket to
   * send it on (hello and ping only need an open one).
   * @param {{type: string} & Record<string, unknown>} msg
   * @returns {boolean}
   */
  send(msg) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    if (!this.joined && msg.type !== 'hello' && msg.type !== 'ping') return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Send a signal to a peer; while the socket is away, keep it for the resume.
   * @param {string} to @param {SignalPayload} payload
   */
  signal(to, payload) {
    this.sendOrKeep({ type: 'signal', to, ...payload });
  }

  /**
   * Send a negotiation message; while the socket is away, keep it for the resume.
   * @param {{type: string} & Record<string, unknown>} msg
   */
  sendOrKeep(msg) {
    if (this.send(msg)) return;
    if (this.everJoined && !this.stopped && this.queued.length < MAX_QUEUED_SIGNALS) {
      this.queued.push(msg);
    }
  }

  /**
   * Say goodbye: the server tells the others and closes with 1000.
   * @returns {Promise<void>} settles once the socket is closed
   */
  leave() {
    const ws = this.ws;
    this.stopped = true;
    if (!ws || !this.send({ type: 'leave' })) {
      this.shutdown(1000, 'left', null);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      // The server closes after leave; do it ourselves if it does not.
      const timer = setTimeout(() => {
        this.shutdown(1000, 'left', null);
        done();
      }, 2000);
      this.once('ended', done);
    });
  }

  /** Close without saying leave (others see us drop, then leave after the grace). */
  close() {
    this.stopped = true;
    this.shutdown(1000, 'closed by the client', null);
  }

  /** @param {string} type @param {(detail: any) => void} fn */
  once(type, fn) {
    const off = this.on(type, (detail) => {
      off();
      fn(detail);
    });
  }

  // --- internals -------------------------------------------------------------

  /** @param {ConnectionState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  open() {
    this.retryTimer = undefined;
    this.joined = false;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      console.error('frankly: cannot open the signaling socket', err);
      this.stopped = true;
      this.shutdown(1006, String(err), null);
      return;
    }
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      this.send({
        type: 'hello',
        version: PROTOCOL_VERSION,
        room: this.room,
        name: this.name,
        audio: this.audio,
        video: this.video,
        resume: this.resumeToken,
        ...this.credentials,
      });
    };
    ws.onmessage = (ev) => {
      if (ws === this.ws) this.onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (ws === this.ws) this.onClose(ev.code, ev.reason);
    };
    ws.onerror = () => {}; // a close event always follows
    clearInterval(this.watchTimer);
    this.watchTimer = setInterval(() => this.watch(), 1000);
  }

  /** Treat a socket that has been silent too long as dead. */
  watch() {
    if (this.ws && Date.now() - this.lastHeard > this.deadAfterMs) {
      const ws = this.ws;
      this.detach();
      try {
        ws.close(4001, 'silent'); // 4001 is ours only; the server sees a close
      } catch {
        /* already closing */
      }
      this.onClose(1006, 'no word from the server for 20 s');
    }
  }

  /** Forget the current socket without waiting for its close event. */
  detach() {
    const ws = this.ws;
    if (ws) ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    this.ws = null;
    this.joined = false;
    clearInterval(this.pingTimer);
    clearInterval(this.watchTimer);
    this.pingTimer = this.watchTimer = undefined;
  }

  /** @param {unknown} data */
  onFrame(data) {
    this.lastHeard = Date.now();
    let msg;
    try {
      msg = JSON.parse(String(data));
    } catch {
      console.warn('frankly: the server sent a frame that is not JSON');
      return;
    }
    if (!msg || typeof msg.type !== 'string') return;
    const handler = this.handlers[msg.type];
    if (handler) handler.call(this, msg);
    else this.emit(msg.type, msg); // joined, updated, left, chat, signal, pong, ...
  }

  /** Handlers for the messages that change the connection itself. */
  get handlers() {
    return /** @type {Record<string, (this: SignalingClient, msg: any) => void>} */ ({
      welcome: SignalingClient.prototype.onWelcome,
      lobby: SignalingClient.prototype.onLobby,
      error: SignalingClient.prototype.onError,
    });
  }

  /** @param {Welcome} msg */
  onWelcome(msg) {
    this.joined = true;
    this.everJoined = true;
    this.attempt = 0;
    this.lastError = null;
    this.resumeToken = msg.resume;
    this.you = msg.you;
    this.pingMs = Math.max(1, msg.ping_interval || 10) * 1000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping', n: ++this.pingN }), this.pingMs);
    const queued = msg.resumed ? this.queued : [];
    this.queued = [];
    this.setState('connected');
    this.emit('welcome', msg);
    for (const m of queued) this.send(/** @type {any} */ (m));
  }

  /**
   * We wait in the lobby: keep the socket alive until a host decides.
   * @param {{type: 'lobby'}} msg
   */
  onLobby(msg) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping', n: ++this.pingN }), this.pingMs);
    this.emit('lobby', msg);
  }

  /** @param {ErrorMessage} msg */
  onError(msg) {
    this.lastError = msg;
    this.emit('error', msg);
  }

  /** @param {number} code @param {string} reason */
  onClose(code, reason) {
    const error = this.lastError;
    this.detach();
    if (this.stopped || FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.shutdown(code, reason, error);
      return;
    }
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** this.attempt, BACKOFF_MAX_MS);
    this.attempt += 1;
    const away = !this.everJoined || this.attempt > OFFLINE_AFTER_ATTEMPTS;
    this.setState(away ? 'offline' : 'reconnecting');
    this.emit('retry', { delay, attempt: this.attempt, code });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** @param {number} code @param {string} reason @param {ErrorMessage | null} error */
  shutdown(code, reason, error) {
    const ws = this.ws;
    this.detach();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.queued = [];
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    if (this.state === 'closed') return;
    this.setState('closed');
    /** @type {Ended} */
    const ended = { code, reason, error };
    this.emit('ended', ended);
  }
}

// --- media -------------------------------------------------------------------

/**
 * One RTCPeerConnection to one remote participant, negotiated with the
 * perfect-negotiation pattern. The polite side (the higher id) rolls back on
 * a collision; the impolite side ignores the colliding offer and restarts
 * ICE when it fails. Events: track ({track, stream}), state (the
 * connectionState), error (Error).
 */
export class PeerLink extends Emitter {
  /**
   * @param {{selfId: string, peerId: string, iceServers?: RTCIceServer[],
   *          stream: MediaStream, sendSignal: (payload: SignalPayload) => void,
   *          e2ee?: Protector}} opts
   */
  constructor(opts) {
    super();
    this.peerId = opts.peerId;
    this.polite = opts.selfId > opts.peerId;
    this.sendSignal = opts.sendSignal;
    // max-bundle: one transport (one set of candidates) for audio and video.
    // A candidate pool gathers while the offer is on its way, not after it.
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers ?? [],
      bundlePolicy: 'max-bundle',
      iceCandidatePoolSize: 1,
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
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed' && !this.polite) pc.restartIce();
    };
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
    this.sendSignal({ description: { type, sdp: d.sdp } });
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
      await pc.setRemoteDescription(/** @type {RTCSessionDescriptionInit} */ (d)); // rolls back if needed
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

// --- a joined participant ------------------------------------------------------

/**
 * Signaling plus media for one participant in one room. Events:
 *   state (ConnectionState)          the signaling connection
 *   welcome (Welcome)                joined or resumed
 *   participant-added (Participant)  someone is here (from welcome or joined)
 *   participant-updated (Participant)
 *   participant-removed ({id, reason, participant})
 *   chat ({message: ChatMessage, history: boolean})
 *   chat-reset ()                    a fresh join: forget shown chat
 *   remote-stream ({id, stream})     the MediaStream of a peer (tracks come and go)
 *   peer-state ({id, state})         a peer connection's connectionState
 *   local-media ()                   our stream, audio or video changed
 *   error (ErrorMessage)             a non-fatal error from the server
 *   ended (Ended)                    the connection is over for good
 */
export class Session extends Emitter {
  /**
   * @param {{url: string, room: string, name: string, stream?: MediaStream,
   *          audio?: boolean, video?: boolean,
   *          videoConstraints?: MediaTrackConstraints | boolean,
   *          audioConstraints?: MediaTrackConstraints | boolean,
   *          passphrase?: string | null, credentials?: Credentials}} opts
   */
  constructor(opts) {
    super();
    if (!e2eeSupported()) throw new Error('this browser cannot encrypt video calls end to end');
    this.room = opts.room;
    this.localStream = opts.stream ?? new MediaStream();
    const hasAudio = this.localStream.getAudioTracks().length > 0;
    const hasVideo = this.localStream.getVideoTracks().length > 0;
    /** What we announce: microphone unmuted, camera on. */
    this.audio = (opts.audio ?? true) && hasAudio;
    this.video = (opts.video ?? true) && hasVideo;
    for (const t of this.localStream.getAudioTracks()) t.enabled = this.audio;
    /** @type {MediaTrackConstraints | boolean} */
    this.videoConstraints = opts.videoConstraints ?? true;
    /** @type {MediaTrackConstraints | boolean} */
    this.audioConstraints = opts.audioConstraints ?? true;
    /** @type {Participant | null} */
    this.you = null;
    /** @type {Map<string, Participant>} everyone else, in order of joining */
    this.participants = new Map();
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** 'p2p' or 'sfu' (docs/protocol.md): from the third participant on, the SFU. */
    this.mode = 'p2p';
    /** @type {SfuLink | null} the two connections with the SFU, in 'sfu' mode */
    this.sfu = null;
    /** @type {Map<string, number>} how high each participant's video shows */
    this.heights = new Map();
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    this.lastChatId = 0;
    /** Chat is opened one message at a time, so it shows in order. */
    /** @type {Promise<void>} */
    this.chatOrder = Promise.resolve();
    this.ended = false;
    this.e2ee = new E2ee({
      room: opts.room,
      passphrase: opts.passphrase,
      send: (to, payload) => this.client.sendOrKeep({ type: 'e2ee', to, payload }),
    });
    this.e2ee.on('pair', (e) => this.emit('encryption', e));
    this.e2ee.on('decrypting', (e) => this.emit('decrypting', e));
    this.client = new SignalingClient({
      url: opts.url,
      room: opts.room,
      name: opts.name,
      audio: this.audio,
      video: this.video,
      credentials: opts.credentials,
    });
    /** @type {RoomSettings} */
    this.settings = { lobby: false, locked: false, password: false };
    /** @type {Map<string, Knock>} people waiting in the lobby (hosts hear of them) */
    this.knocks = new Map();
    /** Whether we wait in the lobby for a host to let us in. */
    this.waiting = false;
    /** @type {MediaStream | null} our screen share */
    this.screen = null;
    /** @type {((token: {token: string, role: string, exp: number}) => void)[]} */
    this.inviteWaiting = [];
    const c = this.client;
    c.on('state', (s) => this.emit('state', s));
    c.on('welcome', (m) => this.onWelcome(m));
    c.on('joined', (m) => this.addParticipant(m.participant, true));
    c.on('updated', (m) => this.updateParticipant(m.participant));
    c.on('left', (m) => this.removeParticipant(m.id, m.reason));
    c.on('chat', (m) => this.onChat(m, false));
    c.on('signal', (m) => this.onSignal(m));
    c.on('error', (m) => this.emit('error', m));
    c.on('ended', (e) => this.onEnded(e));
    c.on('mode', (m) => this.setMode(m.mode));
    c.on('sfu', (m) => this.sfu?.handle(m));
    c.on('speaker', (m) => this.emit('speaker', m.id));
    c.on('e2ee', (m) => this.e2ee.handle(m.from, m.payload));
    c.on('lobby', () => {
      this.waiting = true;
      this.emit('lobby');
    });
    c.on('knock', (m) => {
      this.knocks.set(m.knock.id, m.knock);
      this.emit('knocks', { added: m.knock });
    });
    c.on('knock-done', (m) => {
      this.knocks.delete(m.id);
      this.emit('knocks', { done: m });
    });
    c.on('settings', (m) => {
      this.settings = m.settings;
      this.emit('settings', m.settings);
    });
    c.on('moderated', (m) => this.onModerated(m));
    c.on('reaction', (m) => this.emit('reaction', m));
    c.on('meeting-ended', (m) => this.emit('meeting-ended', m));
    c.on('invite', (m) => this.inviteWaiting.shift()?.(m));
  }

  /** @returns {ConnectionState} */
  get state() {
    return this.client.state;
  }

  start() {
    this.client.connect();
  }

  /**
   * Send a chat message, sealed with our key.
   * @param {string} text
   * @returns {Promise<boolean>} whether it was sent (false while disconnected)
   */
  async chat(text) {
    const t = text.trim();
    if (t.length === 0 || !this.client.joined) return false;
    return this.client.send({ type: 'chat', sealed: await this.e2ee.sealChat(t) });
  }

  /**
   * Mute or unmute: the track stays (no renegotiation) but sends silence.
   * @param {boolean} on
   */
  async setMicrophone(on) {
    let track = this.localStream.getAudioTracks()[0];
    if (!track && on) {
      const s = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraints });
      track = s.getAudioTracks()[0];
      this.localStream.addTrack(track);
      await this.sendTrack('audio', track);
    }
    if (track) track.enabled = on;
    this.audio = on && !!track;
    this.announce({ audio: this.audio });
  }

  /**
   * Camera off stops the camera (its light goes out) and sends nothing;
   * camera on opens it again and sends the new track.
   * @param {boolean} on
   */
  async setCamera(on) {
    if (!on) {
      for (const t of this.localStream.getVideoTracks()) {
        t.stop();
        this.localStream.removeTrack(t);
      }
      this.video = false;
      this.announce({ video: false });
      await this.sendTrack('video', null);
      return;
    }
    if (this.localStream.getVideoTracks().length === 0) {
      const s = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraints });
      const track = s.getVideoTracks()[0];
      this.localStream.addTrack(track);
      await this.sendTrack('video', track);
    }
    this.video = true;
    this.announce({ video: true });
  }

  /**
   * Use another camera or microphone, live.
   * @param {'audio' | 'video'} kind
   * @param {string} deviceId
   */
  async useDevice(kind, deviceId) {
    const constraints = { deviceId: { exact: deviceId } };
    if (kind === 'video') this.videoConstraints = constraints;
    else this.audioConstraints = constraints;
    const old = kind === 'video' ? this.localStream.getVideoTracks()[0] : this.localStream.getAudioTracks()[0];
    if (!old) return; // off: the next setCamera/setMicrophone uses the device
    const s = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    const track = kind === 'video' ? s.getVideoTracks()[0] : s.getAudioTracks()[0];
    track.enabled = old.enabled;
    old.stop();
    this.localStream.removeTrack(old);
    this.localStream.addTrack(track);
    await this.sendTrack(kind, track);
    this.emit('local-media');
  }

  // --- hosts, hands, reactions, screen ------------------------------------------

  /** @param {string} knockId */
  admit(knockId) {
    this.client.send({ type: 'admit', id: knockId });
  }

  /** @param {string} knockId */
  deny(knockId) {
    this.client.send({ type: 'deny', id: knockId });
  }

  /**
   * Change the room's settings (hosts only; the server refuses others).
   * @param {{lobby?: boolean, locked?: boolean, password?: string | null}} change
   */
  setSettings(change) {
    this.client.send({ type: 'settings', ...change });
  }

  /**
   * A host action on one participant (MODERATION).
   * @param {string} action @param {string} participantId
   */
  moderate(action, participantId) {
    this.client.send({ type: 'moderate', action, id: participantId });
  }

  /** End the meeting for everyone (hosts only). */
  endMeeting() {
    this.client.send({ type: 'end' });
  }

  /**
   * A signed invite link's token (hosts only).
   * @param {string} role @param {number} ttl seconds
   * @returns {Promise<{token: string, role: string, exp: number}>}
   */
  invite(role, ttl) {
    return new Promise((resolve, reject) => {
      if (!this.client.send({ type: 'invite', role, ttl })) reject(new Error('not connected'));
      else this.inviteWaiting.push(resolve);
    });
  }

  /** @param {boolean} up */
  raiseHand(up) {
    this.client.send({ type: 'hand', up });
  }

  /** @param {string} emoji one of REACTIONS */
  react(emoji) {
    this.client.send({ type: 'react', emoji });
  }

  /**
   * Share a screen (a stream from getDisplayMedia), or stop (null). The
   * others are told which stream is the screen before it arrives.
   * @param {MediaStream | null} screen
   */
  async shareScreen(screen) {
    if (this.screen && this.screen !== screen) {
      for (const t of this.screen.getTracks()) t.stop();
    }
    this.screen = screen;
    if (screen) {
      for (const t of screen.getTracks()) t.addEventListener('ended', () => this.screenEnded(screen));
    }
    this.client.send({ type: 'update', screen: !!screen, screen_stream: screen ? screen.id : null });
    for (const link of this.links.values()) link.setScreen(screen);
    this.sfu?.setScreen(screen);
    this.emit('local-media');
  }

  /** @param {MediaStream} screen the browser's "Stop sharing" ended it */
  screenEnded(screen) {
    if (this.screen === screen) void this.shareScreen(null);
  }

  /** @param {{action: string, by: string}} m what a host did to us */
  onModerated(m) {
    if (m.action === 'mute') void this.setMicrophone(false);
    else if (m.action === 'stop-video') void this.setCamera(false);
    else if (m.action === 'stop-screen') void this.shareScreen(null);
    this.emit('moderated', m);
  }

  /** Leave the room: others see us go at once. */
  async leave() {
    this.closeLinks();
    await this.client.leave();
    this.stopLocal();
  }

  /** Stop our camera, microphone and screen share. */
  stopLocal() {
    for (const t of this.localStream.getTracks()) t.stop();
    for (const t of this.screen?.getTracks() ?? []) t.stop();
  }

  /**
   * Receive totals from one peer (see PeerLink.inboundStats).
   * @param {string} peerId
   */
  async inboundStats(peerId) {
    if (this.sfu?.streams.has(peerId)) return this.sfu.inboundStats(peerId);
    const link = this.links.get(peerId);
    return link ? link.inboundStats() : null;
  }

  /**
   * Tell the SFU how high a participant's video shows (see SfuLink.view).
   * @param {string} peerId @param {number} height
   */
  view(peerId, height) {
    this.heights.set(peerId, height);
    this.sfu?.view(peerId, height);
  }

  // --- internals -------------------------------------------------------------

  /**
   * Send `track` as our `kind` to everyone: each peer link and the SFU.
   * @param {'audio' | 'video'} kind @param {MediaStreamTrack | null} track
   */
  async sendTrack(kind, track) {
    const links = [...this.links.values()].map((l) => l.setTrack(kind, track, this.localStream));
    await Promise.all([...links, this.sfu?.setTrack(kind, track)]);
  }

  /**
   * Move to the SFU (a room never moves back). Peer links stay until the
   * SFU brings that participant's media, so the picture does not drop out.
   * @param {string} mode
   */
  setMode(mode) {
    this.mode = mode === 'sfu' ? 'sfu' : 'p2p';
    if (this.mode !== 'sfu' || this.sfu) return;
    const sfu = new SfuLink({
      send: (msg) => this.client.sendOrKeep(msg),
      stream: this.localStream,
      iceServers: this.iceServers,
      e2ee: this.e2ee,
    });
    sfu.on('track', ({ participantId, stream }) => {
      if (participantId.endsWith(SCREEN_SUFFIX)) {
        this.emit('remote-screen', { id: participantId.slice(0, -SCREEN_SUFFIX.length), stream });
        return;
      }
      const link = this.links.get(participantId);
      this.links.delete(participantId);
      link?.close();
      this.emit('remote-stream', { id: participantId, stream });
    });
    sfu.on('state', ({ pc, state }) => {
      if (pc !== 'subscribe') return;
      for (const id of this.participants.keys()) {
        if (!this.links.has(id)) this.emit('peer-state', { id, state });
      }
    });
    sfu.on('error', (err) => console.error('frankly: SFU negotiation failed', err));
    this.sfu = sfu;
    for (const [id, height] of this.heights) sfu.view(id, height);
    if (this.screen) sfu.setScreen(this.screen);
  }

  /** @param {{audio?: boolean, video?: boolean}} change */
  announce(change) {
    this.client.audio = this.audio;
    this.client.video = this.video;
    this.client.send({ type: 'update', ...change }); // if away, the welcome reconciles
    this.emit('local-media');
  }

  /** @param {Welcome} msg */
  onWelcome(msg) {
    const fresh = !msg.resumed || (this.you !== null && this.you.id !== msg.you.id);
    if (fresh) {
      // A new participant: nobody knows our old id any more.
      for (const id of [...this.participants.keys()]) this.removeParticipant(id, 'rejoined');
      this.lastChatId = 0;
      this.emit('chat-reset');
    }
    this.you = msg.you;
    this.waiting = false;
    if (msg.settings) this.settings = msg.settings;
    this.knocks = new Map((msg.knocks ?? []).map((k) => [k.id, k]));
    if (fresh) this.e2ee.start(msg.you.id); // a new identity, new keys
    this.iceServers = msg.ice_servers ?? [];
    if (fresh && this.sfu) {
      // The server forgot our old self, and its SFU state with it.
      this.sfu.close();
      this.sfu = null;
    }
    this.setMode(msg.mode);
    this.emit('welcome', msg);
    const present = new Set(msg.participants.map((p) => p.id));
    for (const id of [...this.participants.keys()]) {
      if (!present.has(id)) this.removeParticipant(id, 'left'); // left while we were away
    }
    for (const p of msg.participants) {
      if (this.participants.has(p.id)) this.updateParticipant(p);
      else this.addParticipant(p, !fresh); // came while we were away: after us
    }
    for (const m of msg.chat ?? []) this.onChat(m, true);
    /** @type {{audio?: boolean, video?: boolean}} */
    const change = {};
    if (msg.you.audio !== this.audio) change.audio = this.audio;
    if (msg.you.video !== this.video) change.video = this.video;
    if (Object.keys(change).length) this.client.send({ type: 'update', ...change });
  }

  /**
   * @param {Participant} p
   * @param {boolean} late whether they came after us (see E2ee.peerAdded)
   */
  addParticipant(p, late) {
    if (!this.you || p.id === this.you.id) return;
    if (this.participants.has(p.id)) {
      this.updateParticipant(p);
      return;
    }
    this.e2ee.peerAdded(p.id, late);
    this.participants.set(p.id, p);
    this.emit('participant-added', p);
    if (this.mode === 'p2p') this.ensureLink(p.id);
  }

  /** @param {Participant} p */
  updateParticipant(p) {
    if (this.you && p.id === this.you.id) {
      this.you = p; // a host changed our role, hand or media
      this.emit('you-updated', p);
      return;
    }
    if (!this.participants.has(p.id)) return;
    this.participants.set(p.id, p);
    const link = this.links.get(p.id);
    if (link) link.screenStreamId = p.screen_stream ?? null;
    this.emit('participant-updated', p);
  }

  /** @param {string} id @param {string} reason */
  removeParticipant(id, reason) {
    const participant = this.participants.get(id);
    const link = this.links.get(id);
    this.links.delete(id);
    link?.close();
    if (!participant) return;
    // A fresh join of ours starts new keys anyway: nothing to rotate then.
    if (reason !== 'rejoined') this.e2ee.peerRemoved(id);
    this.participants.delete(id);
    this.heights.delete(id);
    this.sfu?.forget(id);
    this.emit('participant-removed', { id, reason, participant });
  }

  /** @param {string} id */
  ensureLink(id) {
    if (this.links.has(id) || !this.you) return;
    const link = new PeerLink({
      selfId: this.you.id,
      peerId: id,
      iceServers: this.iceServers,
      stream: this.localStream,
      sendSignal: (payload) => this.client.signal(id, payload),
      e2ee: this.e2ee,
    });
    link.screenStreamId = this.participants.get(id)?.screen_stream ?? null;
    link.on('track', ({ stream }) => this.emit('remote-stream', { id, stream }));
    link.on('screen', ({ stream }) => this.emit('remote-screen', { id, stream }));
    link.on('state', (state) => this.emit('peer-state', { id, state }));
    if (this.screen) link.setScreen(this.screen);
    this.links.set(id, link);
    this.emit('remote-stream', { id, stream: link.remoteStream });
  }

  /** @param {SignalMessage} msg */
  onSignal(msg) {
    const known = this.participants.has(msg.from);
    if (!this.links.has(msg.from) && known && this.mode === 'p2p') this.ensureLink(msg.from);
    this.links.get(msg.from)?.handleSignal(msg);
  }

  /** @param {ChatWire} m @param {boolean} history */
  onChat(m, history) {
    if (m.id <= this.lastChatId) return;
    this.lastChatId = m.id;
    this.chatOrder = this.chatOrder.then(async () => {
      const text = m.sealed === undefined ? null : await this.e2ee.openChat(m.from, m.id, m.sealed);
      if (text === false) return; // not from `from`, or a replay: never shown (e2ee/keys.js)
      /** @type {ChatMessage['privacy']} */
      const privacy = m.sealed === undefined ? 'plain' : text === null ? 'unreadable' : 'encrypted';
      const message = { ...m, text: text ?? m.text ?? '', privacy };
      delete message.sealed;
      this.emit('chat', { message, history });
    });
  }

  closeLinks() {
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.sfu?.close();
    this.sfu = null;
  }

  /** @param {Ended} e */
  onEnded(e) {
    if (this.ended) return;
    this.ended = true;
    this.closeLinks();
    this.e2ee.close();
    this.emit('ended', e);
  }
}
