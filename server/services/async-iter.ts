// Small helpers for async steps over lists and async iterables (the services' queries are all awaited).

/**
 * Async steps over a list, one after another: the statements of one transaction keep their order and never overlap
 * (Array.map with an async callback would start them all at once).
 */
export async function mapInOrder<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) out.push(await fn(items[i]!, i));
  return out;
}

/** Every item of an async iterable, in a list (Array.fromAsync, which Node 20 lacks). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
