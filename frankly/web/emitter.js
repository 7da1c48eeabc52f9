// A tiny event emitter shared by the protocol library's classes.

/** A minimal typed-enough event emitter. */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<(detail: any) => void>>} */
    this.listeners = new Map();
  }

  /**
   * @param {string} type
   * @param {(detail: any) => void} fn
   * @returns {() => void} a function that removes the listener
   */
  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set?.delete(fn);
  }

  /** @param {string} type @param {any} [detail] */
  emit(type, detail) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      try {
        fn(detail);
      } catch (err) {
        console.error(`frankly: a '${type}' listener failed`, err);
      }
    }
  }
}
