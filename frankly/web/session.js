// @ts-check
/**
 * A joined participant: a SignalingClient (signaling.js), the local stream,
 * a PeerLink (peer.js) per remote participant or an SfuLink (sfu.js) on the
 * SFU, and E2ee (e2ee/keys.js), which encrypts all of their media and the
 * chat. The UI (app.js and ui/) calls Session's methods and listens to its
 * events, and nothing below it. The Python SDK's counterpart is
 * frankly/client's Client.
 */

import { captionsFromWire, noCaptions, parseLine } from './captions.js';
import { E2ee, e2eeSupported } from './e2ee/keys.js';
import { Emitter } from './emitter.js';
import { FLOOR, boothOf, fromWire, noInterpretation } from './interpretation.js';
import { PeerLink } from './peer.js';
import { reconcile } from './roster.js';
import { SfuLink, cameraSize, streamOwner } from './sfu.js';
import { backgroundTrack, setBackgroundOwner } from './background.js';
import { SignalingClient } from './signaling.js';
import { asText, asWebVtt } from './transcript.js';
import { Msg, Role } from './wire.js';

/**
 * @typedef {{token: string, id: string, role: string, exp: number}} InviteToken
 *   a host's invite: the token for the link, its id (to revoke it), its role
 *   and when it expires (Unix seconds)
 * @typedef {import('./signaling.js').Participant} Participant
 * @typedef {import('./signaling.js').ChatWire} ChatWire
 * @typedef {import('./signaling.js').Welcome} Welcome
 * @typedef {import('./signaling.js').SignalMessage} SignalMessage
 * @typedef {import('./signaling.js').ConnectionState} ConnectionState
 * @typedef {import('./signaling.js').Ended} Ended
 * @typedef {import('./signaling.js').Credentials} Credentials
 * @typedef {import('./signaling.js').RoomSettings} RoomSettings
 * @typedef {import('./signaling.js').Knock} Knock
 * @typedef {{type: 'chat', id: number, from: string, name: string, text: string, ts: number,
 *            privacy: 'encrypted' | 'unreadable' | 'plain'}} ChatMessage
 *   `privacy`: opened with the sender's key; sealed with a key we never held
 *   (sent before we came); or sent unencrypted by a tool that does not seal
 */

// The reactions the server relays and the host actions on one participant
// (docs/protocol.md), as the server defines them.
export { MODERATION, REACTIONS } from './wire.js';

/**
 * Signaling plus media for one participant in one room. Events:
 *   state (ConnectionState)          the signaling connection
 *   going-away ({drain_seconds})     the server restarts soon; we reconnect by ourselves
 *   welcome (Welcome)                joined or resumed
 *   participant-added (Participant)  someone is here (from welcome or joined)
 *   participant-updated (Participant)
 *   participant-removed ({id, reason, participant})
 *   chat ({message: ChatMessage, history: boolean})
 *   chat-reset ()                    a fresh join: forget shown chat
 *   remote-stream ({id, stream})     the MediaStream of a peer (tracks come and go)
 *   remote-screen ({id, stream})     a peer's screen share
 *   peer-state ({id, state})         a peer connection's connectionState
 *   speaker (id)                     the active speaker, on the SFU
 *   local-media ()                   our stream, audio, video, screen or channel mic changed
 *   you-updated (Participant)        a host changed our role, hand or media
 *   lobby ({locked})                 we wait for a host to let us in (locked: because the room is)
 *   knocks ({added} | {done})        someone knocks, or was let in or turned away
 *   settings (RoomSettings)          the room's lobby, lock or password changed
 *   moderated ({action, by})         a host acted on us
 *   reaction ({from, emoji})
 *   meeting-ended (message)          a host ended the meeting for everyone
 *   invite-revoked ({id})            a host revoked an invite of this meeting (hosts hear it)
 *   encryption ({id, state, verdict}) keys with a peer changed (e2ee/keys.js)
 *   decrypting ({id, ok})            a peer's media opens, or stopped opening
 *   interpretation (Interpretation)  booths, directions, who is live, relays changed
 *   listening (channel)              the channel we hear: FLOOR or a language
 *   remote-channel ({id, stream})    an interpreter's channel track (not the floor)
 *   booth-chat ({from, name, text, ts}) a line from our booth partner, opened
 *   interpreting (boolean)           we started or stopped speaking into a channel
 *   captions (Captions)              the room's captions changed state (captions.js)
 *   caption (CaptionLine)            a caption line from the captioner, opened (and
 *                                    kept for transcript() while a host keeps it)
 *   relay ({hidden, chosen, possible, stale}) whether our address is hidden (all
 *                                    media through TURN): at the welcome and on a
 *                                    change; `stale`: connections made before the
 *                                    change keep their path until we rejoin
 *   error (ErrorMessage)             a non-fatal error from the server
 *   ended (Ended)                    the connection is over for good
 * The UI's table of what it does on each is ui/meeting.js's EVENTS.
 */
export class Session extends Emitter {
  /**
   * @param {{url: string, room: string, name: string, stream?: MediaStream,
   *          audio?: boolean, video?: boolean,
   *          videoConstraints?: MediaTrackConstraints | boolean,
   *          audioConstraints?: MediaTrackConstraints | boolean,
   *          passphrase?: string | null, credentials?: Credentials,
   *          language?: string | null, relayOnly?: boolean | null,
   *          quality?: import('./sfu.js').VideoQuality}} opts
   *   `language`: the language we speak, for the captioner (null: not said);
   *   `relayOnly`: hide our address, all media through TURN (null: as the server's default)
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
    setBackgroundOwner((old, now) => this.swapCamera(old, now));
    /** @type {import('./sfu.js').VideoQuality} how our camera is sent (setVideoQuality) */
    this.quality = opts.quality ?? 'best';
    /** @type {MediaTrackConstraints | boolean} */
    this.videoConstraints = opts.videoConstraints ?? cameraSize(this.quality);
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
    /** @type {RTCIceServer[]} the welcome's, then fresher ones (`ice-servers`) */
    this.iceServers = [];
    /** @type {boolean | null} whether we chose to hide our address (null: not chosen) */
    this.relayChoice = opts.relayOnly ?? null;
    /** The server's default for hiding one's address (the welcome's `relay_only`). */
    this.serverRelayOnly = false;
    this.lastChatId = 0;
    /** Chat is opened one message at a time, so it shows in order. */
    /** @type {Promise<void>} */
    this.chatOrder = Promise.resolve();
    this.ended = false;
    this.e2ee = new E2ee({
      room: opts.room,
      passphrase: opts.passphrase,
      send: (to, payload) => this.client.sendOrKeep({ type: Msg.E2EE, to, payload }),
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
      language: opts.language ?? null,
    });
    /** @type {RoomSettings} */
    this.settings = { lobby: false, locked: false, password: false };
    /** @type {Map<string, Knock>} people waiting in the lobby (hosts hear of them) */
    this.knocks = new Map();
    /** Whether we wait in the lobby for a host to let us in. */
    this.waiting = false;
    /** @type {MediaStream | null} our screen share */
    this.screen = null;
    /** @type {((token: InviteToken) => void)[]} */
    this.inviteWaiting = [];
    /** @type {import('./interpretation.js').Interpretation} the room's booths, as the server told */
    this.interpretation = noInterpretation();
    /** The channel we hear (docs/protocol.md, `listening`). */
    this.listening = FLOOR;
    /** @type {MediaStreamTrack | null} what we speak into our booth's channel: our microphone, cloned */
    this.channelTrack = null;
    /** The channel track's id as we last announced it in `interpret`. */
    this.channelAnnounced = '';
    /** @type {import('./captions.js').Captions} the room's captions, as the server told */
    this.captions = noCaptions();
    /** Captions are opened one at a time, so a partial never overtakes a later one. */
    /** @type {Promise<void>} */
    this.captionOrder = Promise.resolve();
    /** @type {Map<string, import('./transcript.js').TranscriptLine>} final lines kept while a host keeps the transcript, by speaker and line */
    this.kept = new Map();
    const c = this.client;
    c.on('state', (s) => this.emit('state', s));
    c.on(Msg.GOING_AWAY, (m) => this.emit('going-away', m));
    c.on(Msg.WELCOME, (m) => this.onWelcome(m));
    c.on(Msg.JOINED, (m) => this.addParticipant(m.participant, true));
    c.on(Msg.UPDATED, (m) => this.updateParticipant(m.participant));
    c.on(Msg.LEFT, (m) => this.removeParticipant(m.id, m.reason));
    c.on(Msg.CHAT, (m) => this.onChat(m, false));
    c.on(Msg.SIGNAL, (m) => this.onSignal(m));
    c.on(Msg.ERROR, (m) => this.emit('error', m));
    c.on('ended', (e) => this.onEnded(e));
    c.on(Msg.MODE, (m) => this.setMode(m.mode));
    c.on(Msg.SFU, (m) => this.sfu?.handle(m));
    c.on(Msg.SFU_RESET, () => this.resetSfu());
    c.on(Msg.SPEAKER, (m) => this.emit('speaker', m.id));
    c.on(Msg.E2EE, (m) => this.e2ee.handle(m.from, m.payload));
    c.on(Msg.LOBBY, (m) => {
      this.waiting = true;
      this.emit('lobby', { locked: m.locked === true });
    });
    c.on(Msg.KNOCK, (m) => {
      this.knocks.set(m.knock.id, m.knock);
      this.emit('knocks', { added: m.knock });
    });
    c.on(Msg.KNOCK_DONE, (m) => {
      this.knocks.delete(m.id);
      this.emit('knocks', { done: m });
    });
    c.on(Msg.SETTINGS, (m) => {
      this.settings = m.settings;
      this.emit('settings', m.settings);
    });
    c.on(Msg.MODERATED, (m) => this.onModerated(m));
    c.on(Msg.REACTION, (m) => this.emit('reaction', m));
    c.on(Msg.MEETING_ENDED, (m) => this.emit('meeting-ended', m));
    c.on(Msg.INVITE, (m) => this.inviteWaiting.shift()?.(m));
    c.on(Msg.REVOKED, (m) => this.emit('invite-revoked', { id: m.id }));
    c.on(Msg.INTERPRETATION, (m) => this.onInterpretation(m));
    c.on(Msg.LISTENING, (m) => this.onListening(m.channel));
    c.on(Msg.BOOTH_CHAT, (m) => this.onBoothChat(m));
    c.on(Msg.CAPTIONS, (m) => this.onCaptions(m));
    c.on(Msg.ICE_SERVERS, (m) => this.onIceServers(m.ice_servers));
    c.on(Msg.CAPTION, (m) => this.onCaption(m));
  }

  /** @returns {ConnectionState} */
  get state() {
    return this.client.state;
  }

  /** Whether we were ever in the room (so a lost connection is a reconnect). */
  get everJoined() {
    return this.client.everJoined;
  }

  /** Whether the server said it restarts (`going-away`): a lost socket is no failure then. */
  get restarting() {
    return this.client.restarting;
  }

  /**
   * Every peer connection of ours, for the debug handle and tests: one per
   * peer, and 'sfu:publish' and 'sfu:subscribe' on the SFU.
   * @returns {Record<string, RTCPeerConnection>}
   */
  peerConnections() {
    /** @type {Record<string, RTCPeerConnection>} */
    const out = {};
    for (const [id, link] of this.links) out[id] = link.pc;
    if (this.sfu) {
      out['sfu:publish'] = this.sfu.publishPc;
      out['sfu:subscribe'] = this.sfu.subscribePc;
    }
    return out;
  }

  start() {
    this.client.connect();
  }

  /**
   * Whether our address is hidden: we (or the server's default) chose it, and
   * the server has a TURN relay to send everything through.
   */
  get relayOnly() {
    return (this.relayChoice ?? this.serverRelayOnly) && hasTurn(this.iceServers);
  }

  /** What every RTCPeerConnection of ours is made with, besides its own options. */
  get iceConfig() {
    return { iceServers: this.iceServers, relayOnly: this.relayOnly };
  }

  /**
   * Hide our address, or stop hiding it, for the connections made from now
   * on. Those we have keep their path: Chromium (tried with a real coturn)
   * goes on gathering host candidates after setConfiguration changes the
   * policy and ICE restarts, so only a new connection is sure to take it; the
   * `relay` event says `stale` until we rejoin.
   * @param {boolean} on
   */
  setRelayOnly(on) {
    this.relayChoice = on;
    this.emitRelay();
  }

  /** @param {RTCIceServer[]} servers fresh TURN credentials, before the old ones expire */
  onIceServers(servers) {
    this.iceServers = servers;
    this.reconfigure();
  }

  /** Hand the current servers to every connection: used from its next gathering (an ICE restart) on. */
  reconfigure() {
    for (const pc of Object.values(this.peerConnections())) {
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers: this.iceServers });
    }
  }

  emitRelay() {
    const wanted = this.relayOnly ? 'relay' : 'all';
    const pcs = Object.values(this.peerConnections());
    const stale = pcs.some((pc) => pc.getConfiguration().iceTransportPolicy !== wanted);
    const chosen = this.relayChoice ?? this.serverRelayOnly;
    this.emit('relay', { hidden: this.relayOnly && !stale, chosen, possible: hasTurn(this.iceServers), stale });
  }

  /**
   * Send a chat message, sealed with our key.
   * @param {string} text
   * @returns {Promise<boolean>} whether it was sent (false while disconnected)
   */
  async chat(text) {
    const t = text.trim();
    if (t.length === 0 || !this.client.joined) return false;
    return this.client.send({ type: Msg.CHAT, sealed: await this.e2ee.sealChat(t) });
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
      const track = backgroundTrack(s.getVideoTracks()[0]);
      this.localStream.addTrack(track);
      await this.sendTrack('video', track);
    }
    this.video = true;
    this.announce({ video: true });
  }

  /**
   * Use another camera or microphone, live: the new track replaces the old
   * on every sender (no renegotiation), so the others keep receiving. The
   * old camera is let go first: a phone cannot open two at once. If the new
   * device fails, the old one is opened again and the error thrown.
   * @param {'audio' | 'video'} kind
   * @param {string} deviceId
   */
  async useDevice(kind, deviceId) {
    const device = { deviceId: { exact: deviceId } };
    const before = kind === 'video' ? this.videoConstraints : this.audioConstraints;
    const constraints = kind === 'video' ? { ...cameraSize(this.quality), ...device } : device;
    const old = kind === 'video' ? this.localStream.getVideoTracks()[0] : this.localStream.getAudioTracks()[0];
    if (!old) {
      // Off: the next setCamera/setMicrophone opens this device.
      this.setConstraints(kind, constraints);
      return;
    }
    if (kind === 'video') old.stop();
    let track;
    try {
      track = await openTrack(kind, constraints);
    } catch (err) {
      if (kind === 'video') await this.replaceLocal(old, await openTrack(kind, before));
      throw err;
    }
    this.setConstraints(kind, constraints);
    track.enabled = old.enabled;
    await this.replaceLocal(old, track);
  }

  /** @param {'audio' | 'video'} kind @param {MediaTrackConstraints} constraints what later opens ask for */
  setConstraints(kind, constraints) {
    if (kind === 'video') this.videoConstraints = constraints;
    else this.audioConstraints = constraints;
  }

  /**
   * Put `track` in the place of `old`: in our stream, on every sender, and
   * in our booth's channel while we interpret.
   * @param {MediaStreamTrack} old @param {MediaStreamTrack} track
   */
  async replaceLocal(old, track) {
    old.stop();
    this.localStream.removeTrack(old);
    this.localStream.addTrack(track);
    const kind = track.kind === 'video' ? 'video' : 'audio';
    await this.sendTrack(kind, track);
    if (kind === 'audio' && this.channelTrack) {
      // The channel speaks from the new microphone too, on the same m-line.
      this.channelTrack.stop();
      this.channelTrack = track.clone();
      this.channelTrack.enabled = true;
      await this.sfu?.setChannel(this.channelTrack);
      this.announceChannel(this.sfu?.channelMsid() ?? '');
    }
    this.emit('local-media');
  }

  /**
   * Best quality or save bandwidth, live: the camera is resized where it is
   * open, and every sender takes the layers or cap of `quality`.
   * @param {import('./sfu.js').VideoQuality} quality
   */
  async setVideoQuality(quality) {
    this.quality = quality;
    const size = cameraSize(quality);
    const keep = typeof this.videoConstraints === 'object' ? this.videoConstraints : {};
    this.videoConstraints = { ...keep, ...size };
    const camera = this.localStream.getVideoTracks()[0];
    if (camera) await this.resizeCamera(camera, size);
    await Promise.all([...[...this.links.values()].map((l) => l.setQuality(quality)), this.sfu?.setQuality(quality)]);
    this.emit('local-media');
  }

  /**
   * Resize the open camera. Smaller is a rescale (applyConstraints); larger
   * may leave it in the format it was opened in (a camera opened for 640×360
   * can stay at 640×480 at most): then it is opened anew at the new size,
   * and if that fails it is off, as the announcement says.
   * @param {MediaStreamTrack} camera @param {MediaTrackConstraints} size
   */
  async resizeCamera(camera, size) {
    await camera.applyConstraints({ ...camera.getConstraints(), ...size });
    const wanted = typeof size.height === 'object' ? (size.height.ideal ?? 0) : 0;
    if ((camera.getSettings().height ?? 0) >= wanted) return;
    camera.stop(); // a phone opens one camera at a time
    try {
      await this.replaceLocal(camera, await openTrack('video', this.videoConstraints));
    } catch (err) {
      await this.setCamera(false);
      throw err;
    }
  }

  /**
   * Where one peer's media arrives, for its network quality (ui/quality.js):
   * the connection, and which of its mids are theirs (null: all).
   * @param {string} peerId
   * @returns {{pc: RTCPeerConnection, mids: Set<string> | null} | null}
   */
  mediaFrom(peerId) {
    if (this.sfu?.streams.has(peerId)) return { pc: this.sfu.subscribePc, mids: this.sfu.midsOf(peerId) };
    const link = this.links.get(peerId);
    return link ? { pc: link.pc, mids: null } : null;
  }

  // --- hosts, hands, reactions, screen ------------------------------------------

  /** @param {string} knockId */
  admit(knockId) {
    this.client.send({ type: Msg.ADMIT, id: knockId });
  }

  /** @param {string} knockId */
  deny(knockId) {
    this.client.send({ type: Msg.DENY, id: knockId });
  }

  /**
   * Change the room's settings (hosts only; the server refuses others).
   * @param {{lobby?: boolean, locked?: boolean, password?: string | null}} change
   */
  setSettings(change) {
    this.client.send({ type: Msg.SETTINGS, ...change });
  }

  /**
   * A host action on one participant (MODERATION).
   * @param {string} action @param {string} participantId
   */
  moderate(action, participantId) {
    this.client.send({ type: Msg.MODERATE, action, id: participantId });
  }

  /** End the meeting for everyone (hosts only). */
  endMeeting() {
    this.client.send({ type: Msg.END });
  }

  /**
   * A signed invite link's token (hosts only); with `interpret`, its holder
   * joins as that pair's interpreter.
   * @param {string} role @param {number} ttl seconds @param {[string, string]} [interpret]
   * @returns {Promise<InviteToken>}
   */
  invite(role, ttl, interpret) {
    return new Promise((resolve, reject) => {
      const msg = interpret ? { type: Msg.INVITE, role, ttl, interpret } : { type: Msg.INVITE, role, ttl };
      if (!this.client.send(msg)) reject(new Error('not connected'));
      else this.inviteWaiting.push(resolve);
    });
  }

  /**
   * Revoke an invite of this meeting by its id (hosts only; the server
   * checks): joins with it are refused from now on, and hosts hear
   * invite-revoked.
   * @param {string} id
   */
  revoke(id) {
    return this.client.send({ type: Msg.REVOKE, id });
  }

  /** @param {boolean} up */
  raiseHand(up) {
    this.client.send({ type: Msg.HAND, up });
  }

  /** @param {string} emoji one of REACTIONS */
  react(emoji) {
    this.client.send({ type: Msg.REACT, emoji });
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
    this.client.send({ type: Msg.UPDATE, screen: !!screen, screen_stream: screen ? screen.id : null });
    for (const link of this.links.values()) link.setScreen(screen);
    this.sfu?.setScreen(screen);
    this.emit('local-media');
  }

  /** @param {MediaStream} screen the browser's "Stop sharing" ended it */
  screenEnded(screen) {
    if (this.screen === screen) void this.shareScreen(null);
  }

  // --- interpretation (docs/protocol.md, "Interpretation") -----------------

  /**
   * Make a participant the interpreter of a language pair, or take the role
   * back (null). Hosts only; the server refuses others.
   * @param {string} participantId @param {[string, string] | null} pair
   */
  makeInterpreter(participantId, pair) {
    return this.client.send({ type: Msg.INTERPRETER, id: participantId, pair });
  }

  /**
   * Hear `channel`: FLOOR, or one of the room's languages (for an
   * interpreter, a language is its relay). The answer comes as `listening`.
   * @param {string} channel
   */
  listen(channel) {
    return this.client.send({ type: Msg.LISTEN, channel });
  }

  /** Our booth speaks into `into` from now on (one of its pair). @param {string} into */
  switchDirection(into) {
    return this.client.send({ type: Msg.INTERPRET, into });
  }

  /**
   * Give our booth's live channel to the other member (when live), or take
   * it (when not). The server refuses with booth-not-ready while the new
   * voice is not sending.
   * @param {string} [to]
   */
  handOver(to) {
    return this.client.send(to ? { type: Msg.HANDOVER, to } : { type: Msg.HANDOVER });
  }

  /**
   * A line for the other member of our booth, sealed for them alone.
   * @param {string} text
   * @returns {Promise<'sent' | 'alone' | 'no-key' | 'offline'>}
   */
  async sendBoothChat(text) {
    const me = this.you?.id;
    const booth = me ? boothOf(this.interpretation, me) : null;
    const others = booth ? booth.members.filter((m) => m !== me) : [];
    if (others.length === 0) return 'alone';
    /** @type {Record<string, string>} */
    const sealed = {};
    for (const id of others) {
      const line = await this.e2ee.sealFor(id, text);
      if (line === null) return 'no-key';
      sealed[id] = line;
    }
    return this.client.send({ type: Msg.BOOTH_CHAT, sealed }) ? 'sent' : 'offline';
  }

  /** @param {unknown} wire the server's `interpretation` */
  onInterpretation(wire) {
    this.interpretation = fromWire(wire);
    void this.keepChannel();
    this.emit('interpretation', this.interpretation);
  }

  /** @param {string} channel */
  onListening(channel) {
    if (typeof channel !== 'string' || channel === this.listening) return;
    this.listening = channel;
    this.emit('listening', channel);
  }

  /** @param {{from: string, name: string, sealed: string, ts: number}} m */
  async onBoothChat(m) {
    const text = await this.e2ee.openFrom(m.from, m.sealed);
    if (text !== null) this.emit('booth-chat', { from: m.from, name: m.name, text, ts: m.ts });
  }

  /**
   * Speak into our booth's channel while we are in one, and stop when not:
   * a clone of our microphone on a track of its own (the floor microphone
   * is muted then, so our voice goes to the channel alone).
   */
  async keepChannel() {
    const inBooth = !!this.you && !!boothOf(this.interpretation, this.you.id);
    if (inBooth && !this.channelTrack && this.sfu) await this.startChannel();
    else if (!inBooth && this.channelTrack) await this.stopChannel();
  }

  async startChannel() {
    const mic = this.localStream.getAudioTracks()[0];
    if (!mic || !this.sfu) return;
    const track = mic.clone();
    track.enabled = true; // a clone keeps the floor mic's mute; the channel is on
    this.channelTrack = track;
    this.announceChannel(track.id); // before the offer that carries it
    await this.sfu.setChannel(track);
    if (this.audio) await this.setMicrophone(false);
    this.emit('interpreting', true);
  }

  async stopChannel() {
    const track = this.channelTrack;
    this.channelTrack = null;
    this.channelAnnounced = '';
    track?.stop();
    await this.sfu?.setChannel(null);
    this.emit('interpreting', false);
  }

  /**
   * Mute or unmute what we speak into the channel (a cough): the track
   * keeps sending silence, so the booth can still hand over to us.
   * @param {boolean} on
   */
  setChannelMic(on) {
    if (!this.channelTrack) return;
    this.channelTrack.enabled = on;
    this.emit('local-media');
  }

  /** @param {string} trackId */
  announceChannel(trackId) {
    if (!trackId || trackId === this.channelAnnounced) return;
    this.channelAnnounced = trackId;
    this.client.sendOrKeep({ type: Msg.INTERPRET, track: trackId });
  }

  // --- live captions (docs/protocol.md, "Live captions") --------------------

  /**
   * Turn the room's captions on or off, keeping a transcript or not. Hosts
   * only; the answer is the server's `captions` state (or a refusal:
   * not-host, captions-unavailable).
   * @param {boolean} on @param {boolean} [transcript]
   */
  setCaptions(on, transcript = false) {
    return this.client.send({ type: Msg.CAPTIONS, on, transcript });
  }

  /**
   * Say which language we speak (for the captioner), now and on every
   * later join.
   * @param {string | null} language a tag of LANGUAGE_PATTERN, or null: not said
   */
  setLanguage(language) {
    this.client.language = language;
    return this.client.send({ type: Msg.UPDATE, language });
  }

  /** @param {unknown} wire the server's `captions` */
  onCaptions(wire) {
    this.captions = captionsFromWire(wire);
    this.emit('captions', this.captions);
  }

  /**
   * A caption line: shown only if it comes from the room's captioner and
   * opens with its key, exactly as a chat message does.
   * @param {{from: string, sealed: string}} m
   */
  onCaption(m) {
    const from = m.from;
    if (from !== this.captions.captioner || this.participants.get(from)?.role !== Role.CAPTIONER) return;
    this.captionOrder = this.captionOrder.then(async () => {
      const text = typeof m.sealed === 'string' ? await this.e2ee.openCaption(from, m.sealed) : null;
      const line = typeof text === 'string' ? parseLine(text) : null;
      if (!line) return;
      if (line.final && this.captions.transcript) this.keep(line);
      this.emit('caption', line);
    });
  }

  /**
   * Keep a final line for the transcript (a final sent again with its
   * English replaces the first), with the speaker's name as it is now.
   * @param {import('./captions.js').CaptionLine} line
   */
  keep(line) {
    const speaker = line.speaker === this.you?.id ? this.you.name : (this.participants.get(line.speaker)?.name ?? 'Someone');
    const { start, end, text, language, english } = line;
    this.kept.set(`${line.speaker}:${line.line}`, { speaker, start, end, text, language, english });
  }

  /**
   * The transcript this client kept (the server cannot read the lines):
   * from when we joined, or a host began keeping it, until now.
   * @param {'txt' | 'vtt'} [kind]
   * @returns {string}
   */
  transcript(kind = 'txt') {
    return kind === 'vtt' ? asWebVtt(this.kept.values()) : asText(this.kept.values());
  }

  /** @param {{action: string, by: string}} m what a host did to us */
  onModerated(m) {
    if (m.action === 'mute') void this.setMicrophone(false);
    else if (m.action === 'stop-video') void this.setCamera(false);
    else if (m.action === 'stop-screen') void this.shareScreen(null);
    this.emit('moderated', m);
  }

  /**
   * Say leave and nothing else, at once: the page is going away (pagehide)
   * and cannot wait for the server to close. Others then see us go without
   * waiting out the grace period.
   */
  leaveNow() {
    this.client.send({ type: Msg.LEAVE });
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
    this.channelTrack?.stop();
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
   * A background effect went on or off (background.js): send its track in the old one's place.
   * @param {MediaStreamTrack} old @param {MediaStreamTrack} now
   */
  async swapCamera(old, now) {
    if (!this.localStream.getTracks().includes(old)) return;
    this.localStream.removeTrack(old);
    this.localStream.addTrack(now);
    await this.sendTrack('video', now);
  }

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
      ...this.iceConfig,
      e2ee: this.e2ee,
      quality: this.quality,
    });
    sfu.on('track', ({ participantId, stream }) => {
      const { id, screen, channel } = streamOwner(participantId);
      if (channel) {
        this.emit('remote-channel', { id, stream });
        return;
      }
      if (screen) {
        this.emit('remote-screen', { id, stream });
        return;
      }
      const link = this.links.get(id);
      this.links.delete(id);
      link?.close();
      this.emit('remote-stream', { id, stream });
    });
    sfu.on('state', ({ pc, state }) => {
      if (pc !== 'subscribe') return;
      for (const id of this.participants.keys()) {
        if (!this.links.has(id)) this.emit('peer-state', { id, state });
      }
    });
    sfu.on('error', (err) => console.error('frankly: SFU negotiation failed', err));
    // The SFU knows our channel track by its id in our offer: say so if it differs.
    sfu.on('offered', () => {
      if (this.channelTrack) this.announceChannel(sfu.channelMsid() ?? '');
    });
    this.sfu = sfu;
    for (const [id, height] of this.heights) sfu.view(id, height);
    if (this.screen) sfu.setScreen(this.screen);
    void this.keepChannel();
  }

  /**
   * `sfu-reset`: the SFU worker holding our two connections is gone
   * (docs/scaling.md). They close, and new ones are made as on the move to
   * the SFU; the server offers everyone again on them.
   */
  resetSfu() {
    if (this.mode !== 'sfu') return;
    this.sfu?.close();
    this.sfu = null;
    this.setMode('sfu');
  }

  /** @param {{audio?: boolean, video?: boolean}} change */
  announce(change) {
    this.client.audio = this.audio;
    this.client.video = this.video;
    this.client.send({ type: Msg.UPDATE, ...change }); // if away, the welcome reconciles
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
    this.serverRelayOnly = msg.relay_only === true;
    this.reconfigure(); // a resume's welcome brings fresh credentials for the links we kept
    if (fresh && this.sfu) {
      // The server forgot our old self, and its SFU state with it.
      this.sfu.close();
      this.sfu = null;
    }
    if (fresh && this.channelTrack) {
      // Our old self's interpretation: a new one is published if we are made interpreter again.
      this.channelTrack.stop();
      this.channelTrack = null;
      this.channelAnnounced = '';
      this.emit('interpreting', false);
    }
    this.interpretation = fromWire(msg.interpretation);
    this.listening = typeof msg.listening === 'string' ? msg.listening : FLOOR;
    this.captions = captionsFromWire(msg.captions);
    this.setMode(msg.mode);
    void this.keepChannel();
    this.emit('welcome', msg);
    this.emitRelay();
    this.emit('captions', this.captions);
    const { gone, kept, added } = reconcile(this.participants.keys(), msg.participants);
    for (const id of gone) this.removeParticipant(id, 'left'); // left while we were away
    for (const p of kept) this.updateParticipant(p);
    for (const p of added) this.addParticipant(p, !fresh); // came while we were away: after us
    for (const m of msg.chat ?? []) this.onChat(m, true);
    /** @type {{audio?: boolean, video?: boolean}} */
    const change = {};
    if (msg.you.audio !== this.audio) change.audio = this.audio;
    if (msg.you.video !== this.video) change.video = this.video;
    if (Object.keys(change).length) this.client.send({ type: Msg.UPDATE, ...change });
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
    // On the SFU their media comes on our subscribe connection, which may be up already.
    else if (this.sfu) this.emit('peer-state', { id: p.id, state: this.sfu.subscribePc.connectionState });
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
      ...this.iceConfig,
      stream: this.localStream,
      sendSignal: (payload) => this.client.signal(id, payload),
      e2ee: this.e2ee,
    });
    link.screenStreamId = this.participants.get(id)?.screen_stream ?? null;
    link.on('track', ({ stream }) => this.emit('remote-stream', { id, stream }));
    link.on('screen', ({ stream }) => this.emit('remote-screen', { id, stream }));
    link.on('state', (state) => this.emit('peer-state', { id, state }));
    if (this.screen) link.setScreen(this.screen);
    // Before negotiation a sender may not take parameters yet: a cap missed is no failure.
    if (this.quality !== 'best') link.setQuality(this.quality).catch(() => {});
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

/**
 * Whether `servers` name a TURN relay (turn: or turns:), without which
 * hiding one's address would leave no path at all.
 * @param {RTCIceServer[]} servers
 */
export function hasTurn(servers) {
  return servers.some((server) => {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    return urls.some((url) => /^turns?:/.test(url));
  });
}

/**
 * One track of `kind` from getUserMedia.
 * @param {'audio' | 'video'} kind @param {MediaTrackConstraints | boolean} constraints
 * @returns {Promise<MediaStreamTrack>}
 */
async function openTrack(kind, constraints) {
  const s = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
  const track = s.getTracks()[0];
  return kind === 'video' ? backgroundTrack(track) : track; // with the background effect, if chosen
}
