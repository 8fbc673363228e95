// Summaries of the browser benchmarks' repeated measurements.

/** The median of `xs` (the mean of the middle two for an even count); `null` for none. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The lowest and highest of `xs`, rounded, as `lo–hi`: the spread a difference of medians is read against. */
export function range(xs) {
  const values = xs.map(Math.round);
  return `${Math.min(...values)}–${Math.max(...values)}`;
}
