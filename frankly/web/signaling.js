// @ts-check
/**
 * The signaling connection (docs/protocol.md, version 1): one WebSocket to
 * /ws with hello and welcome, resume after a drop with backoff, ping,
 * dead-socket detection and close codes. The shapes of the messages on the
 * wire are typed here too. Media and the UI live elsewhere (peer.js,
 * session.js); the Python SDK's counterpart is the signaling half of
 * frankly/client's Client.
 */

import { Emitter } from './emitter.js';

import { Code, FATAL, FINAL_CLOSE_CODES, Msg, PROTOCOL_VERSION } from './wire.js';

export { FINAL_CLOSE_CODES, PROTOCOL_VERSION };

/** Error codes after which the server closes the connection (docs/protocol.md). */
export const FATAL_ERROR_CODES = new Set(Object.keys(FATAL));

/** Silence from the server after which a socket is treated as dead. */
export const DEAD_AFTER_MS = 20_000;
export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 5_000;
/** Failed reconnect attempts in a row after which we call ourselves offline. */
const OFFLINE_AFTER_ATTEMPTS = 3;
/**
 * After `going-away` (the server restarts): the longest wait between attempts,
 * so that we are back soon after the next process is up, plus up to
 * RESTART_JITTER_MS at random, so that a whole server's clients do not knock at once.
 */
export const RESTART_BACKOFF_MAX_MS = 1_500;
const RESTART_JITTER_MS = 500;
/** How long past the drain a restart may take before failed attempts count again. */
const RESTART_PATIENCE_MS = 60_000;
/** Signals kept while the socket is away, sent once it resumes. */
const MAX_QUEUED_SIGNALS = 200;
/**
 * Redirects (a cluster's `redirect`, docs/scaling.md) followed in a row without a
 * welcome; past them, the next one counts as a failed attempt and waits the backoff.
 */
export const MAX_REDIRECTS = 4;

/**
 * Where the next hello goes in a cluster of nodes: the node a `redirect` names, at
 * once and a bounded number of times; after a lost socket, each attempt the next
 * of the live nodes the welcome named (its own first), so a dead node's people
 * find the others; a node whose socket never opens (it is down) is passed over at
 * once, for the next one, at most once per other node between two waits. The
 * Python SDK's counterpart is frankly/client/nodes.py.
 */
export class Route {
  /** @param {string} url the signaling URL (ws:// or wss://) */
  constructor(url) {
    this.url = url;
    /** @type {string[]} the live nodes' signaling URLs, as the last welcome said */
    this.nodes = [];
    this.hops = 0;
    this.quick = 0; // nodes passed over without a wait since the last one
  }

  /** @param {unknown} nodes the welcome's `nodes` */
  welcomed(nodes) {
    this.hops = this.quick = 0;
    if (!Array.isArray(nodes)) return;
    this.nodes = nodes.map((n) => (typeof n === 'string' ? socketUrl(n) : null)).filter((u) => u !== null);
  }

  /** @param {unknown} url a redirect's node @returns {boolean} whether to go there now */
  follow(url) {
    const target = typeof url === 'string' ? socketUrl(url) : null;
    if (target === null || this.hops >= MAX_REDIRECTS) {
      this.hops = 0;
      return false;
    }
    this.hops += 1;
    this.url = target;
    return true;
  }

  /** @param {number} attempt 1, 2, ... after a lost socket */
  afterLoss(attempt) {
    if (this.nodes.length > 1) this.url = this.nodes[(attempt - 1) % this.nodes.length];
  }

  /** @returns {boolean} the node's socket never opened: whether to try the next one now */
  refused() {
    if (this.quick + 1 < this.nodes.length) {
      this.quick += 1;
      return true;
    }
    this.quick = 0;
    return false;
  }
}

/**
 * A node's base URL (http://host:port) as its signaling URL (ws://host:port/ws).
 * @param {string} base
 * @returns {string | null}
 */
export function socketUrl(base) {
  let url;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[url.protocol];
  if (!scheme) return null;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
  return `${scheme}//${url.host}${path}/ws`;
}

/**
 * @typedef {{id: string, name: string, audio: boolean, video: boolean, connected: boolean,
 *            role?: string, hand?: number | null, screen?: boolean, screen_stream?: string | null,
 *            side?: string | null, language?: string | null}} Participant
 *   `side`: the dialogue side they speak for, set by the server from their invite;
 *   `language`: the language they said they speak (null: not said)
 * @typedef {{type: 'chat', id: number, from: string, name: string, text?: string, sealed?: string, ts: number}} ChatWire
 * @typedef {{type: 'error', code: string, message: string, ref?: string}} ErrorMessage
 * @typedef {{
 *   type: 'welcome', version: number, room: string, you: Participant,
 *   resume: string, resumed: boolean, participants: Participant[],
 *   chat: ChatWire[], mode: string, max_participants: number,
 *   ice_servers: RTCIceServer[], relay_only?: boolean, ping_interval: number, timeout: number,
 *   settings?: RoomSettings, knocks?: Knock[],
 *   interpretation?: unknown, listening?: string, captions?: unknown, meeting?: string, nodes?: string[]
 * }} Welcome
 *   `interpretation`: the room's booths (interpretation.js reads it);
 *   `listening`: the channel we hear; `captions`: the room's captions (captions.js reads it);
 *   `meeting`: names the meeting, the same across rejoins and restarts (ui/chat.js keys its kept chat by it)
 * @typedef {{type: 'offer' | 'answer' | 'rollback', sdp?: string}} Description
 * @typedef {{description: Description} | {candidate: RTCIceCandidateInit | null}} SignalPayload
 * @typedef {{type: 'signal', from: string, description?: Description, candidate?: RTCIceCandidateInit | null}} SignalMessage
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'restarting' | 'offline' | 'closed'} ConnectionState
 *   `restarting`: reconnecting because the server said it restarts (`going-away`), not a failure
 * @typedef {{code: number, reason: string, error: ErrorMessage | null}} Ended
 *   Why a connection ended for good: the close code, and the fatal error the
 *   server sent before closing, if any.
 * @typedef {{invite?: string, password?: string, proof?: string, device?: string, passphrase?: boolean}} Credentials
 *   optional hello fields for rooms with invitations, passwords and a human check;
 *   `passphrase`: that we hold one for the room (never what it is)
 * @typedef {{lobby: boolean, locked: boolean, password: boolean}} RoomSettings
 * @typedef {{id: string, name: string, returning: boolean}} Knock
 */

/**
 * One participant's signaling connection. Events:
 *   state (ConnectionState), welcome (Welcome), joined, updated, left, chat,
 *   signal, pong, error (ErrorMessage), ended (Ended), retry ({delay, attempt}),
 *   going-away ({reason, drain_seconds}: the server restarts; we reconnect by ourselves).
 * After a drop it reconnects by itself and resumes with the token from the
 * last welcome; it stops for good on the close codes of FINAL_CLOSE_CODES.
 */
export class SignalingClient extends Emitter {
  /**
   * @param {{url: string, room: string, name: string, audio?: boolean, video?: boolean,
   *          deadAfterMs?: number, credentials?: Credentials, language?: string | null}} opts
   */
  constructor(opts) {
    super();
    /** Where the next hello goes: a cluster's redirects and node list move it. */
    this.route = new Route(opts.url);
    /** Whether the socket closing now was redirected (then the next hello goes at once). */
    this.redirected = false;
    this.room = opts.room;
    this.name = opts.name;
    /** What a fresh join shows the server: invite, password, proof, device. */
    this.credentials = opts.credentials ?? {};
    /** What the next hello announces; Session keeps these current. */
    this.audio = opts.audio ?? true;
    this.video = opts.video ?? true;
    /** @type {string | null} the language we speak, for the captioner (null: not said) */
    this.language = opts.language ?? null;
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
    this.hurried = 0; // of those attempts, the ones made at once (a dead node passed over)
    this.opened = false; // whether the current socket ever opened
    /** Until when (Date.now()) a lost socket is the server's restart, not a failure. */
    this.restartUntil = 0;
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
    if (!this.joined && msg.type !== Msg.HELLO && msg.type !== Msg.PING) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Send a signal to a peer; while the socket is away, keep it for the resume.
   * @param {string} to @param {SignalPayload} payload
   */
  signal(to, payload) {
    this.sendOrKeep({ type: Msg.SIGNAL, to, ...payload });
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
    if (!ws || !this.send({ type: Msg.LEAVE })) {
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
      ws = new WebSocket(this.route.url);
    } catch (err) {
      console.error('frankly: cannot open the signaling socket', err);
      this.stopped = true;
      this.shutdown(1006, String(err), null);
      return;
    }
    this.ws = ws;
    this.lastHeard = Date.now();
    this.opened = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.opened = true;
      this.lastHeard = Date.now();
      this.send({
        type: Msg.HELLO,
        version: PROTOCOL_VERSION,
        room: this.room,
        name: this.name,
        audio: this.audio,
        video: this.video,
        resume: this.resumeToken,
        ...(this.language ? { language: this.language } : {}),
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
      [Msg.WELCOME]: SignalingClient.prototype.onWelcome,
      [Msg.LOBBY]: SignalingClient.prototype.onLobby,
      [Msg.ERROR]: SignalingClient.prototype.onError,
      [Msg.GOING_AWAY]: SignalingClient.prototype.onGoingAway,
      [Msg.REDIRECT]: SignalingClient.prototype.onRedirect,
    });
  }

  /** @param {Welcome} msg */
  onWelcome(msg) {
    this.joined = true;
    this.everJoined = true;
    this.attempt = this.hurried = 0;
    this.restartUntil = 0;
    this.lastError = null;
    this.resumeToken = msg.resume;
    this.you = msg.you;
    this.route.welcomed(msg.nodes);
    this.pingMs = Math.max(1, msg.ping_interval || 10) * 1000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: Msg.PING, n: ++this.pingN }), this.pingMs);
    const queued = msg.resumed ? this.queued : [];
    this.queued = [];
    this.setState('connected');
    this.emit(Msg.WELCOME, msg);
    for (const m of queued) this.send(/** @type {any} */ (m));
  }

  /**
   * We wait in the lobby: keep the socket alive until a host decides.
   * @param {{type: 'lobby', locked?: boolean}} msg `locked`: why we wait
   */
  onLobby(msg) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: Msg.PING, n: ++this.pingN }), this.pingMs);
    this.emit(Msg.LOBBY, msg);
  }

  /**
   * The server will close within `drain_seconds` and a new one take over: the
   * meeting goes on meanwhile, and the close that comes is no failure.
   * @param {{type: 'going-away', reason: string, drain_seconds: number}} msg
   */
  onGoingAway(msg) {
    this.expectRestart(msg.drain_seconds);
    this.emit(Msg.GOING_AWAY, msg);
  }

  /**
   * Another node holds the room: the close that follows sends the same hello there.
   * @param {{type: 'redirect', url: string, room: string}} msg
   */
  onRedirect(msg) {
    this.redirected = this.route.follow(msg.url);
  }

  /** @param {number} drainSeconds */
  expectRestart(drainSeconds) {
    this.restartUntil = Date.now() + Math.max(0, drainSeconds || 0) * 1000 + RESTART_PATIENCE_MS;
  }

  /** @returns {boolean} whether the server said it restarts, recently enough to believe it */
  get restarting() {
    return Date.now() < this.restartUntil;
  }

  /** @param {ErrorMessage} msg */
  onError(msg) {
    // A draining server opens no new room: its successor will, in a moment.
    if (msg.code === Code.DRAINING) this.expectRestart(0);
    this.lastError = msg;
    this.emit(Msg.ERROR, msg);
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
    if (this.redirected) {
      this.redirected = false;
      this.retryTimer = setTimeout(() => this.open(), 0);
      return;
    }
    const restarting = this.restarting;
    // A socket that never opened found its node down (a dead node of a cluster): the next, now.
    const hurry = !this.opened && this.route.refused();
    const waits = this.attempt - this.hurried; // the backoff grows with waits only
    const backoff = restarting
      ? Math.min(BACKOFF_FIRST_MS * 2 ** waits, RESTART_BACKOFF_MAX_MS) + Math.random() * RESTART_JITTER_MS
      : Math.min(BACKOFF_FIRST_MS * 2 ** waits, BACKOFF_MAX_MS);
    const delay = hurry ? 0 : backoff;
    this.attempt += 1;
    if (hurry) this.hurried += 1;
    const away = !this.everJoined || this.attempt > OFFLINE_AFTER_ATTEMPTS;
    this.setState(restarting ? 'restarting' : away ? 'offline' : 'reconnecting');
    this.emit('retry', { delay, attempt: this.attempt, code });
    this.route.afterLoss(this.attempt); // in a cluster, the next node in turn
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
