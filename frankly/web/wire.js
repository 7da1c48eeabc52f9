// Generated from frankly/protocol/ by scripts/gen-wire-js; do not edit.
// The protocol's words (docs/protocol.md), shared with the server and the SDK.

/** Sent in `hello`. */
export const PROTOCOL_VERSION = 1;

/** Every message type, either way. */
export const Msg = Object.freeze({
  "HELLO": "hello",
  "UPDATE": "update",
  "PING": "ping",
  "LEAVE": "leave",
  "SFU_RESTART": "sfu-restart",
  "VIEW": "view",
  "ADMIT": "admit",
  "DENY": "deny",
  "MODERATE": "moderate",
  "END": "end",
  "HAND": "hand",
  "REACT": "react",
  "REVOKE": "revoke",
  "INTERPRETER": "interpreter",
  "INTERPRET": "interpret",
  "HANDOVER": "handover",
  "LISTEN": "listen",
  "TRANSCRIPT_LINE": "transcript-line",
  "WELCOME": "welcome",
  "JOINED": "joined",
  "UPDATED": "updated",
  "LEFT": "left",
  "MODE": "mode",
  "SPEAKER": "speaker",
  "ERROR": "error",
  "PONG": "pong",
  "LOBBY": "lobby",
  "KNOCK": "knock",
  "KNOCK_DONE": "knock-done",
  "MODERATED": "moderated",
  "MEETING_ENDED": "meeting-ended",
  "GOING_AWAY": "going-away",
  "REDIRECT": "redirect",
  "REACTION": "reaction",
  "REVOKED": "revoked",
  "INTERPRETATION": "interpretation",
  "LISTENING": "listening",
  "ICE_SERVERS": "ice-servers",
  "SFU_RESET": "sfu-reset",
  "BOOTH_CHAT": "booth-chat",
  "CAPTION": "caption",
  "CAPTIONS": "captions",
  "CHAT": "chat",
  "E2EE": "e2ee",
  "INVITE": "invite",
  "SETTINGS": "settings",
  "SFU": "sfu",
  "SIGNAL": "signal",
});

/** Error codes the server sends. */
export const Code = Object.freeze({
  "BAD_JSON": "bad-json",
  "TOO_LARGE": "too-large",
  "UNKNOWN_TYPE": "unknown-type",
  "INVALID_MESSAGE": "invalid-message",
  "NOT_JOINED": "not-joined",
  "ALREADY_JOINED": "already-joined",
  "UNKNOWN_PEER": "unknown-peer",
  "WRONG_MODE": "wrong-mode",
  "BAD_SDP": "bad-sdp",
  "RATE_LIMITED": "rate-limited",
  "UNSUPPORTED_VERSION": "unsupported-version",
  "INVALID_ROOM": "invalid-room",
  "ROOM_FULL": "room-full",
  "PROTOCOL_VIOLATION": "protocol-violation",
  "FLOODING": "flooding",
  "TIMEOUT": "timeout",
  "BUSY": "busy",
  "DRAINING": "draining",
  "INTERNAL_ERROR": "internal-error",
  "INVITE_EXPIRED": "invite-expired",
  "INVITE_WRONG_ROOM": "invite-wrong-room",
  "INVITE_INVALID": "invite-invalid",
  "INVITE_ENDED": "invite-ended",
  "INVITE_REVOKED": "invite-revoked",
  "PASSWORD_REQUIRED": "password-required",
  "WRONG_PASSWORD": "wrong-password",
  "PASSPHRASE_REQUIRED": "passphrase-required",
  "TOO_MANY_ATTEMPTS": "too-many-attempts",
  "HUMAN_CHECK_REQUIRED": "human-check-required",
  "HUMAN_CHECK_FAILED": "human-check-failed",
  "LOBBY_FULL": "lobby-full",
  "DENIED": "denied",
  "REMOVED": "removed",
  "REPRESENTATIVES_ONLY": "representatives-only",
  "NOT_HOST": "not-host",
  "NOT_ALLOWED": "not-allowed",
  "UNKNOWN_KNOCK": "unknown-knock",
  "GUEST_INTERPRETER": "guest-interpreter",
  "NOT_INTERPRETER": "not-interpreter",
  "UNKNOWN_LANGUAGE": "unknown-language",
  "CHANNEL_BUSY": "channel-busy",
  "BOOTH_NOT_READY": "booth-not-ready",
  "CAPTIONS_UNAVAILABLE": "captions-unavailable",
});

/** WebSocket close codes. */
export const Close = Object.freeze({
  "NORMAL": 1000,
  "NOT_UTF8": 1007,
  "TOO_BIG": 1009,
  "INTERNAL_ERROR": 1011,
  "TRY_AGAIN_LATER": 1013,
  "REPLACED": 4000,
  "HANDSHAKE_REFUSED": 4400,
  "CREDENTIALS_REFUSED": 4401,
  "NOT_ALLOWED_IN": 4403,
  "TIMEOUT": 4408,
  "ROOM_FULL": 4409,
  "ENDED": 4410,
  "PROTOCOL_VIOLATION": 4422,
  "FLOODING": 4429,
});

/** The close code that follows each fatal error code. */
export const FATAL = Object.freeze({
  "unsupported-version": 4400,
  "invalid-room": 4400,
  "room-full": 4409,
  "protocol-violation": 4422,
  "flooding": 4429,
  "timeout": 4408,
  "invite-expired": 4403,
  "invite-wrong-room": 4403,
  "invite-invalid": 4403,
  "invite-ended": 4403,
  "invite-revoked": 4403,
  "lobby-full": 4409,
  "internal-error": 1011,
  "denied": 4403,
  "removed": 4403,
  "representatives-only": 4403,
  "password-required": 4401,
  "wrong-password": 4401,
  "passphrase-required": 4401,
  "human-check-required": 4401,
  "human-check-failed": 4401,
  "too-many-attempts": 4429,
});

/** Close codes after which a client does not reconnect. */
export const FINAL_CLOSE_CODES = new Set([1000, 1007, 1009, 4000, 4400, 4401, 4403, 4409, 4410, 4422, 4429]);

/** Roles the server gives. */
export const ROLES = Object.freeze(["host", "participant", "guest", "captioner"]);

/** Roles a host's invite may give. */
export const INVITE_ROLES = Object.freeze(["host", "participant", "guest"]);

/** The same roles, by name. */
export const Role = Object.freeze({
  "HOST": "host",
  "PARTICIPANT": "participant",
  "GUEST": "guest",
  "CAPTIONER": "captioner",
});

/** The reactions a room accepts. */
export const REACTIONS = Object.freeze(["👍", "👏", "❤️", "😂", "😮", "🎉", "🙏", "✋"]);

/** What a host can do to another. */
export const MODERATION = Object.freeze(["mute", "ask-unmute", "stop-video", "stop-screen", "remove", "make-host", "lower-hand"]);

/** What a room's name may be. */
export const ROOM_PATTERN = "^[A-Za-z0-9_-]{1,64}$";

/** The server's own paths: no room has their names. */
export const RESERVED_ROOMS = Object.freeze(["api", "challenge", "dialogues", "healthz", "metrics", "readyz", "static", "ws"]);

/** Suffix of a screen share's stream id. */
export const SCREEN_SUFFIX = ":screen";

/** The channel of the original speech. */
export const FLOOR = "floor";

/** What a channel's language may be. */
export const LANGUAGE_PATTERN = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$";

/** Suffix of an interpreter's channel stream id. */
export const CHANNEL_SUFFIX = ":channel";

/** Where a room's captions are. */
export const CAPTIONS_STATES = Object.freeze(["off", "starting", "on", "restarting", "failed"]);

/** The server's captioner's name. */
export const CAPTIONER_NAME = "Captions by this server";

/** The language of a speaker who did not say theirs. */
export const DEFAULT_SPEECH_LANGUAGE = "en";
