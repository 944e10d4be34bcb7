/** Runs at most `n` tasks at once; the rest wait their turn in order. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finished task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
  const next = (): void => {
    const waiter = waiting.shift();
    if (waiter) waiter();
    else active -= 1;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      next();
    }
  };
}

/** Resolves with fn's value, or rejects with `onTimeout()` after ms (fn keeps running; its result is dropped). */
export function withTimeout<T>(fn: () => Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    fn().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
