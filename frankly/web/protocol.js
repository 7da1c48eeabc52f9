// @ts-check
/**
 * Frankly's browser client library, with no user interface: one entry point
 * that re-exports its parts, each in a file named as the Python SDK
 * (frankly/client/) names the same thing.
 *
 *   signaling.js  SignalingClient: the WebSocket, hello/welcome, resume, ping,
 *                 close codes; the wire types (docs/protocol.md, version 1)
 *   peer.js       PeerLink: one peer connection, perfect negotiation
 *   sfu.js        SfuLink: the publish and subscribe connections on the SFU
 *   session.js    Session: a joined participant, the one object the UI uses
 *   roster.js     who is here: welcome reconciliation, hands, shown names
 *   urls.js       room names, links and the secrets in them
 *   interpretation.js  booths and languages (Interpretation, Booth), what a
 *                 listener hears and how loud
 *   mixer.js      Mixer: what the page plays, through Web Audio gains
 *   captions.js   live captions: the room's state, caption lines, the few
 *                 on screen (a partial replaced in place by its final)
 *   transcript.js the transcript this client keeps, as text or WebVTT
 *   e2ee/         end-to-end encryption (e2ee/keys.js's E2ee is Session's)
 */

export {
  MAX_LINES,
  captionsFromWire,
  emptyBoard,
  parseLine,
  placeLine,
  serverHears,
  translationOf,
} from './captions.js';
export { e2eeSupported } from './e2ee/keys.js';
export { asText as transcriptText, asWebVtt as transcriptWebVtt } from './transcript.js';
export { Emitter } from './emitter.js';
export { DEFAULT_FLOOR_VOLUME, FLOOR, boothOf, fromWire as interpretationFromWire, gains, speakingInto } from './interpretation.js';
export { Mixer } from './mixer.js';
export { PeerLink } from './peer.js';
export { displayNames, handOrder, reconcile } from './roster.js';
export { MODERATION, REACTIONS, Session } from './session.js';
export { CHANNEL_SUFFIX, SCREEN_SUFFIX, SfuLink, streamOwner } from './sfu.js';
export {
  BACKOFF_FIRST_MS,
  BACKOFF_MAX_MS,
  DEAD_AFTER_MS,
  FATAL_ERROR_CODES,
  FINAL_CLOSE_CODES,
  PROTOCOL_VERSION,
  SignalingClient,
} from './signaling.js';
export { ROOM_RE, isValidRoom, newRoomName, roomFromInput, signalingUrl } from './urls.js';

/**
 * @typedef {import('./signaling.js').Participant} Participant
 * @typedef {import('./signaling.js').ChatWire} ChatWire
 * @typedef {import('./signaling.js').ErrorMessage} ErrorMessage
 * @typedef {import('./signaling.js').Welcome} Welcome
 * @typedef {import('./signaling.js').ConnectionState} ConnectionState
 * @typedef {import('./signaling.js').Ended} Ended
 * @typedef {import('./signaling.js').Credentials} Credentials
 * @typedef {import('./signaling.js').RoomSettings} RoomSettings
 * @typedef {import('./signaling.js').Knock} Knock
 * @typedef {import('./session.js').ChatMessage} ChatMessage
 * @typedef {import('./peer.js').Protector} Protector
 * @typedef {import('./interpretation.js').Interpretation} Interpretation
 * @typedef {import('./interpretation.js').Booth} Booth
 * @typedef {import('./captions.js').Captions} Captions
 * @typedef {import('./captions.js').CaptionLine} CaptionLine
 */
