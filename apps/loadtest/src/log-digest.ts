/**
 * JSON with object keys sorted, so the same event read from a live stream and from the store (which may
 * encode it differently) serialises to the same text. `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined || typeof v === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A running 64-bit digest (two FNV-1a lanes) of a session's log: what the harness keeps of every event it saw
 * live, so the final comparison with the stored log needs a few bytes per session, not the events.
 */
export class LogDigest {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  count = 0;

  add(seq: number, eventJson: string): void {
    const text = `${seq}:${eventJson}\n`;
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
    }
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.count++;
  }

  get value(): string {
    return `${this.a.toString(16).padStart(8, '0')}${this.b.toString(16).padStart(8, '0')}`;
  }
}
