// Receive totals from a peer connection's getStats(), shared by peer links
// and the SFU link (which keeps only the tracks of one participant).

/**
 * @typedef {{video: {framesDecoded: number, packetsReceived: number, bytesReceived: number},
 *            audio: {packetsReceived: number, bytesReceived: number}}} InboundTotals
 */

/**
 * @param {RTCPeerConnection} pc
 * @param {(mid: string) => boolean} [keep] which received transceivers count, by mid (all by default)
 * @returns {Promise<InboundTotals>}
 */
export async function inboundTotals(pc, keep = () => true) {
  const out = {
    video: { framesDecoded: 0, packetsReceived: 0, bytesReceived: 0 },
    audio: { packetsReceived: 0, bytesReceived: 0 },
  };
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || !keep(s.mid ?? '')) return;
    if (s.kind === 'video') {
      out.video.framesDecoded += s.framesDecoded ?? 0;
      out.video.packetsReceived += s.packetsReceived ?? 0;
      out.video.bytesReceived += s.bytesReceived ?? 0;
    } else if (s.kind === 'audio') {
      out.audio.packetsReceived += s.packetsReceived ?? 0;
      out.audio.bytesReceived += s.bytesReceived ?? 0;
    }
  });
  return out;
}
