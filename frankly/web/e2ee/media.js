// Which frames the transform worker seals and opens, on the page
// (docs/security.md). frankly/client/e2ee/media.py is the SDK's twin.
//
// Every RTP sender and receiver of a protected connection gets the worker's
// transform. Each receiver opens only the frames of the participant its track
// is shown as: the peer of a peer-to-peer connection, or on the SFU's
// subscribe connection the publisher its m-line's `a=msid` stream names
// (sfu.js names the tile by the same stream). A server that moves one
// participant's frames onto another's track gets them dropped.

/** Whether this browser can encrypt frames at all. */
export function e2eeSupported() {
  return (
    typeof RTCRtpScriptTransform === 'function' ||
    (typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype)
  );
}

/** RTCRtpScriptTransform where the browser has it, else createEncodedStreams. */
const SCRIPT_TRANSFORM = typeof RTCRtpScriptTransform === 'function';

/**
 * What an RTCPeerConnection needs to carry encrypted frames: the old
 * createEncodedStreams API has to be asked for when the connection is made.
 * @returns {RTCConfiguration}
 */
export function connectionOptions() {
  return SCRIPT_TRANSFORM ? {} : /** @type {RTCConfiguration} */ ({ encodedInsertableStreams: true });
}

/**
 * Who publishes on each m-line (by mid) of an SFU offer, by its `a=msid`
 * stream: a participant's id, or that id and a suffix after a colon
 * (`:screen`). An inactive m-line, or one without a stream, has nobody.
 * @param {string} sdp @returns {Map<string, string | null>}
 */
export function streamOwners(sdp) {
  /** @type {Map<string, string | null>} */
  const owners = new Map();
  /** @type {string | null} */
  let mid = null;
  /** @type {string | null} */
  let owner = null;
  let active = true;
  for (const raw of [...sdp.split(/\r?\n/), 'm=']) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (mid !== null) owners.set(mid, active ? owner : null);
      mid = null;
      owner = null;
      active = true;
    } else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length);
    else if (line.startsWith('a=msid:')) owner = line.slice('a=msid:'.length).split(' ')[0].split(':')[0] || null;
    else if (line === 'a=inactive' || line === 'a=recvonly') active = false;
  }
  return owners;
}

/** Hands every sender and receiver of the connections it protects to one worker. */
export class FrameTransforms {
  /** @param {Worker} worker the transform worker (worker.js) */
  constructor(worker) {
    this.worker = worker;
    /** @type {WeakMap<RTCPeerConnection, string>} the one participant a peer-to-peer connection receives from */
    this.peers = new WeakMap();
    /** @type {WeakSet<RTCRtpSender | RTCRtpReceiver>} */
    this.attached = new WeakSet();
    /** @type {WeakMap<RTCRtpReceiver, {slot: number, sender: string | null}>} what the worker knows of a receiver */
    this.receivers = new WeakMap();
    this.slots = 0;
    /** @type {WeakSet<RTCRtpTransceiver>} */
    this.preferred = new WeakSet();
  }

  /**
   * Encrypt everything `pc` sends and decrypt what it receives from whom it
   * should, in VP8 for video. Call after every change of its transceivers and
   * every remote description, before an offer or answer is made.
   * @param {RTCPeerConnection} pc
   * @param {string} [peerId] given once and kept: the participant at the other
   *   end of a peer-to-peer connection. Without one, each receiver takes the
   *   frames of the participant its m-line's stream names, as on the SFU.
   */
  protect(pc, peerId) {
    if (peerId) this.peers.set(pc, peerId);
    const peer = this.peers.get(pc) ?? null;
    const owners = peer ? null : streamOwners(pc.remoteDescription?.sdp ?? '');
    for (const t of pc.getTransceivers()) {
      const kind = /** @type {'audio' | 'video'} */ (t.receiver.track.kind);
      if (kind === 'video') this.preferVp8(t);
      this.attach(t.sender, 'send', kind, {});
      const sender = peer ?? (t.mid === null ? null : owners?.get(t.mid) ?? null);
      this.receive(t.receiver, kind, sender);
    }
  }

  /**
   * Attach a receiver, or tell the worker whose frames it now carries.
   * @param {RTCRtpReceiver} receiver @param {'audio' | 'video'} kind @param {string | null} sender
   */
  receive(receiver, kind, sender) {
    const known = this.receivers.get(receiver);
    if (!known) {
      const slot = ++this.slots;
      this.receivers.set(receiver, { slot, sender });
      this.attach(receiver, 'receive', kind, { slot, sender });
    } else if (known.sender !== sender) {
      known.sender = sender; // the SFU gave this m-line to another publisher
      this.worker.postMessage({ op: 'claim', slot: known.slot, sender });
    }
  }

  /**
   * @param {RTCRtpSender | RTCRtpReceiver} end
   * @param {'send' | 'receive'} side @param {'audio' | 'video'} kind
   * @param {{slot?: number, sender?: string | null}} claim which receiver, and whose frames it opens
   */
  attach(end, side, kind, claim) {
    if (this.attached.has(end)) return;
    this.attached.add(end);
    if (SCRIPT_TRANSFORM) {
      end.transform = new RTCRtpScriptTransform(this.worker, { side, kind, ...claim });
      return;
    }
    const streams = /** @type {any} */ (end).createEncodedStreams();
    const message = { op: 'streams', side, kind, ...claim, readable: streams.readable, writable: streams.writable };
    this.worker.postMessage(message, [streams.readable, streams.writable]);
  }

  /**
   * Encrypted frames travel as VP8: H.264's packetizer would cut ciphertext at
   * whatever looks like a start code (docs/security.md).
   * @param {RTCRtpTransceiver} t
   */
  preferVp8(t) {
    if (this.preferred.has(t) || t.currentDirection === 'stopped') return;
    const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
    const vp8 = codecs.filter((c) => c.mimeType === 'video/VP8' || c.mimeType === 'video/rtx');
    if (!vp8.some((c) => c.mimeType === 'video/VP8')) return;
    t.setCodecPreferences(vp8);
    this.preferred.add(t);
  }
}
