// One shared copy of values that repeat across thousands of rows (type and column names, a sequence's start and
// increment, the decimal strings of a report): at 100,000 sequences one copy each saves tens of megabytes. Pure.

/**
 * `make`, remembering what it made for the first `limit` distinct keys: values that are all different (positions
 * of a large database) cost no more than without it.
 */
export function interner<K, V>(make: (key: K) => V, limit = 20_000): (key: K) => V {
  const seen = new Map<K, V>();
  return (key) => {
    const hit = seen.get(key);
    if (hit !== undefined) return hit;
    const value = make(key);
    if (seen.size < limit) seen.set(key, value);
    return value;
  };
}
