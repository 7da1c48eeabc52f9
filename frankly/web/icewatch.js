// @ts-check
// When to restart ICE (docs/protocol.md, "ICE restarts"): a link whose ICE
// is failed, or disconnected for DISCONNECTED_GRACE_MS, has lost its path (a
// phone left the Wi-Fi, a NAT forgot its binding), and new checks, with new
// credentials over whatever path works now, are the way back. Disconnected
// alone is not enough: Chromium reports it after a few seconds without an
// answer to its consent checks, and a short stall comes back by itself.

/** How long a link may stay disconnected before it restarts ICE. */
export const DISCONNECTED_GRACE_MS = 3000;
/** While it stays down, a restart is tried again this often. */
export const RESTART_RETRY_MS = 10_000;

/**
 * Call `restart` when pc's ICE has failed, or has been disconnected for
 * DISCONNECTED_GRACE_MS, and again every RESTART_RETRY_MS while it stays so.
 * @param {RTCPeerConnection} pc
 * @param {() => void} restart
 * @returns {() => void} stops watching
 */
export function watchIce(pc, restart) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  /** @param {number} ms */
  const later = (ms) => {
    clear();
    timer = setTimeout(fire, ms);
  };
  const fire = () => {
    timer = null;
    const state = pc.iceConnectionState;
    if (state !== 'failed' && state !== 'disconnected') return;
    restart();
    later(RESTART_RETRY_MS);
  };
  const changed = () => {
    const state = pc.iceConnectionState;
    if (state === 'failed') later(0);
    else if (state === 'disconnected') {
      if (timer === null) later(DISCONNECTED_GRACE_MS);
    } else if (state !== 'checking') clear(); // checking: a restart under way
  };
  pc.addEventListener('iceconnectionstatechange', changed);
  return () => {
    clear();
    pc.removeEventListener('iceconnectionstatechange', changed);
  };
}
