/**
 * The size of a plain-data value as UTF-8 bytes of its strings plus a few bytes per structural element
 * (close to its JSON text). Stops counting once past `cap` (the answer is then some number above it),
 * so measuring a huge value costs no more than measuring `cap` bytes of it. Meant for values whose depth
 * is already bounded (they passed a schema or `copyJsonValue`).
 */
export function payloadBytes(value: unknown, cap = Number.POSITIVE_INFINITY): number {
  return measure(value, cap, 0);
}

function measure(v: unknown, cap: number, acc: number): number {
  if (acc > cap) return acc;
  switch (typeof v) {
    case 'string':
      // Every UTF-16 unit is at least one UTF-8 byte: a string longer than what is left is over, unscanned.
      if (v.length > cap - acc) return acc + v.length + 2;
      return acc + stringBytes(v) + 2;
    case 'number':
    case 'boolean':
      return acc + 8;
    case 'object':
      break;
    default:
      return acc + 4;
  }
  if (v === null) return acc + 4;
  let n = acc + 2;
  if (Array.isArray(v)) {
    for (const item of v) {
      n = measure(item, cap, n + 1);
      if (n > cap) return n;
    }
    return n;
  }
  for (const key in v) {
    n = measure((v as Record<string, unknown>)[key], cap, n + key.length + 4);
    if (n > cap) return n;
  }
  return n;
}

function stringBytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
