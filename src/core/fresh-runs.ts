/**
 * Shares a read among concurrent callers without ever answering one of them
 * with a read that started before it asked. A caller that arrives while a
 * run for its key is in flight does not join that run (it may have read
 * the database before the caller's own request came in, and missed a write
 * the caller has already seen committed); it waits for the next run, which
 * starts when the current one ends and is shared by everyone who arrived in
 * between. So each caller gets a result at least as fresh as its arrival,
 * and N concurrent callers cost at most two runs instead of N.
 *
 * Used for the checks every request repeats with the same input (an API
 * token's validity, whether kept TAXII pages are still current).
 */
export class FreshRuns<K, V> {
  readonly #running = new Map<K, Promise<V>>();
  readonly #next = new Map<K, Promise<V>>();

  run(key: K, fn: () => Promise<V>): Promise<V> {
    const next = this.#next.get(key);
    if (next) return next;
    const running = this.#running.get(key);
    if (!running) return this.#start(key, fn);
    const queued = running.then(
      () => this.#startQueued(key, fn),
      () => this.#startQueued(key, fn),
    );
    this.#next.set(key, queued);
    return queued;
  }

  #startQueued(key: K, fn: () => Promise<V>): Promise<V> {
    this.#next.delete(key);
    return this.#start(key, fn);
  }

  #start(key: K, fn: () => Promise<V>): Promise<V> {
    const p = (async () => fn())();
    this.#running.set(key, p);
    const done = () => {
      if (this.#running.get(key) === p) this.#running.delete(key);
    };
    p.then(done, done);
    return p;
  }
}
