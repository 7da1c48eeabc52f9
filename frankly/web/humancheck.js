// The human check (docs/protocol.md, "Human check"): solve the server's
// proof-of-work challenge in a worker, so the page stays responsive for the
// second or so it takes. The challenge is ALTCHA's: find the number n in
// [0, maxnumber] for which SHA-256(salt + n) is the challenge, in hex.

/**
 * @typedef {{algorithm: string, challenge: string, salt: string, signature: string,
 *            maxnumber?: number}} Challenge
 */

/**
 * Whether this server asks for a human check before a fresh join.
 * @returns {Promise<boolean>}
 */
export async function humanCheckRequired() {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    return res.ok && (await res.json()).human_check === true;
  } catch {
    return false;
  }
}

/**
 * Fetch a challenge and solve it; the `proof` for hello.
 * @returns {Promise<string>}
 */
export async function solveHumanCheck() {
  const res = await fetch('/challenge', { cache: 'no-store' });
  if (!res.ok) throw new Error(`the server gave no challenge (HTTP ${res.status})`);
  return solveChallenge(await res.json());
}

/**
 * Solve a challenge got elsewhere (public comments take theirs from
 * /api/public/challenge); the proof, base64 of ALTCHA's JSON payload.
 * @param {Challenge} challenge
 * @returns {Promise<string>}
 */
export async function solveChallenge(challenge) {
  const worker = new Worker(new URL('./humancheck-worker.js', import.meta.url), { type: 'module' });
  try {
    const number = await new Promise((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = () => reject(new Error('the human check could not run'));
      worker.postMessage(challenge);
    });
    if (number === null) throw new Error('the challenge has no solution');
    const payload = { algorithm: challenge.algorithm, challenge: challenge.challenge, number,
      salt: challenge.salt, signature: challenge.signature };
    return btoa(JSON.stringify(payload));
  } finally {
    worker.terminate();
  }
}
