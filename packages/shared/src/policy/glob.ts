/**
 * Shell-style glob matching for approval patterns (bash commands, dispatch-agent ids) — spec §2.3.
 *
 * Semantics are those of the Rust `glob` crate (`Pattern::new` + `matches` with default `MatchOptions`):
 * - `*` matches any run of characters, including `/` and the empty run;
 * - `?` matches exactly one character (one Unicode scalar value);
 * - `[abc]`, `[a-z]`, `[!abc]` are character classes; a `]` right after `[` or `[!` is a member
 *   (`[]]`, `[!]]`); special characters are literal inside a class (`[*]`, `[?]`, `[[]`);
 * - `**` is only valid as a whole `/`-separated component (`**`, `a/**`, `**\/b`, `a/**\/b`); it matches
 *   zero or more whole components (`(.*\/)?`), or anything at the end of the pattern;
 * - matching is case-sensitive; leading dots are not special; there is no escape character;
 * - a pattern that fails to parse (unterminated `[`, `***`, or `**` not being a whole component such as
 *   `"ls **"`) never glob-matches.
 *
 * Matching simulates the pattern's NFA over the subject (O(subject × pattern), no exponential
 * backtracking), so a hostile pattern/command pair cannot stall the approval path.
 */

const SLASH = 0x2f;

/**
 * Token kinds: `char` literal, `any` (`?`), `class`, `star` (`*`, and a `**` that ends the pattern: any run),
 * `rec` (a `**` component followed by more pattern: empty, or any run ending in `/`).
 */
export type GlobToken =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly specs: readonly ClassSpec[] }
  | { readonly kind: 'star' }
  | { readonly kind: 'rec' };

/** A single code point (`lo === hi`) or an inclusive range. A range with `lo > hi` matches nothing. */
export interface ClassSpec {
  readonly lo: number;
  readonly hi: number;
}

/** A compiled glob pattern. */
export interface CompiledApprovalGlob {
  readonly tokens: readonly GlobToken[];
}

/** Why a pattern could not be compiled (mirrors the `glob` crate's `PatternError` messages). */
export class GlobPatternError extends Error {
  override readonly name = 'GlobPatternError';
  constructor(
    readonly pattern: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid glob pattern ${JSON.stringify(pattern)} at ${position}: ${reason}`);
  }
}

const ERROR_WILDCARDS = 'wildcards are either regular `*` or recursive `**`';
const ERROR_RECURSIVE_WILDCARDS = 'recursive wildcards must form a single path component';
const ERROR_INVALID_RANGE = 'invalid range pattern';

function parseClassSpecs(cps: readonly number[], from: number, to: number): ClassSpec[] {
  const specs: ClassSpec[] = [];
  let i = from;
  while (i < to) {
    if (i + 3 <= to && cps[i + 1] === 0x2d /* - */) {
      specs.push({ lo: cps[i]!, hi: cps[i + 2]! });
      i += 3;
    } else {
      specs.push({ lo: cps[i]!, hi: cps[i]! });
      i += 1;
    }
  }
  return specs;
}

function indexOfFrom(cps: readonly number[], cp: number, from: number): number {
  for (let j = from; j < cps.length; j++) if (cps[j] === cp) return j;
  return -1;
}

/**
 * Compile a pattern following the `glob` crate's parser. Throws `GlobPatternError` when it does not parse.
 */
export function compileApprovalGlob(pattern: string): CompiledApprovalGlob {
  const cps: number[] = [];
  for (const ch of pattern) cps.push(ch.codePointAt(0)!);
  const raw: GlobToken[] = [];
  let i = 0;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === 0x3f /* ? */) {
      raw.push({ kind: 'any' });
      i += 1;
    } else if (c === 0x2a /* * */) {
      const old = i;
      while (i < cps.length && cps[i] === 0x2a) i += 1;
      const count = i - old;
      if (count > 2) throw new GlobPatternError(pattern, old + 2, ERROR_WILDCARDS);
      if (count === 2) {
        // `**` must be a whole path component: preceded by start or `/`, followed by `/` or the end.
        if (!(old === 0 || cps[old - 1] === SLASH)) {
          throw new GlobPatternError(pattern, Math.max(0, old - 1), ERROR_RECURSIVE_WILDCARDS);
        }
        if (i < cps.length && cps[i] === SLASH)
          i += 1; // the separator is part of the component
        else if (i !== cps.length) throw new GlobPatternError(pattern, i, ERROR_RECURSIVE_WILDCARDS);
        // Collapse consecutive recursive components (the crate only does this after the first token).
        const last = raw[raw.length - 1];
        if (!(raw.length > 1 && last?.kind === 'rec')) raw.push({ kind: 'rec' });
      } else {
        raw.push({ kind: 'star' });
      }
    } else if (c === 0x5b /* [ */) {
      let done = false;
      if (i + 4 <= cps.length && cps[i + 1] === 0x21 /* ! */) {
        const end = indexOfFrom(cps, 0x5d, i + 3);
        if (end >= 0) {
          raw.push({ kind: 'class', negated: true, specs: parseClassSpecs(cps, i + 2, end) });
          i = end + 1;
          done = true;
        }
      } else if (i + 3 <= cps.length && cps[i + 1] !== 0x21) {
        const end = indexOfFrom(cps, 0x5d, i + 2);
        if (end >= 0) {
          raw.push({ kind: 'class', negated: false, specs: parseClassSpecs(cps, i + 1, end) });
          i = end + 1;
          done = true;
        }
      }
      if (!done) throw new GlobPatternError(pattern, i, ERROR_INVALID_RANGE);
    } else {
      raw.push({ kind: 'char', cp: c });
      i += 1;
    }
  }
  // A recursive wildcard with nothing but recursive wildcards after it matches anything (the crate's
  // matcher falls through to "rest must match the empty string"): treat it as `*`.
  const tokens = raw.slice();
  for (let t = tokens.length - 1; t >= 0 && tokens[t]!.kind === 'rec'; t--) tokens[t] = { kind: 'star' };
  return { tokens };
}

function classMatches(specs: readonly ClassSpec[], cp: number): boolean {
  for (const s of specs) if (cp >= s.lo && cp <= s.hi) return true;
  return false;
}

/** Epsilon closure: `*` and `**` may match the empty run. Edges only go forward, so one pass suffices. */
function epsilonClose(tokens: readonly GlobToken[], set: Uint8Array): void {
  for (let t = 0; t < tokens.length; t++) {
    if (set[t] === 1) {
      const k = tokens[t]!.kind;
      if (k === 'star' || k === 'rec') set[t + 1] = 1;
    }
  }
}

/**
 * Whole-subject match of a compiled glob (spec §2.3). NFA simulation: `cur[t]` = "about to match token t";
 * `inner[t]` = "inside the run of a `rec` token t, which can only be left right after a `/`".
 */
export function approvalGlobMatches(glob: CompiledApprovalGlob, subject: string): boolean {
  const tokens = glob.tokens;
  const m = tokens.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  let inner = new Uint8Array(m + 1);
  let nextInner = new Uint8Array(m + 1);
  cur[0] = 1;
  epsilonClose(tokens, cur);
  const n = subject.length;
  for (let i = 0; i < n; i++) {
    let cp = subject.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = subject.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i += 1;
      }
    }
    next.fill(0);
    nextInner.fill(0);
    let alive = false;
    for (let t = 0; t < m; t++) {
      if (cur[t] !== 1 && inner[t] !== 1) continue;
      const tok = tokens[t]!;
      if (tok.kind === 'rec') {
        // Consume one char of the run; after a `/` the run may end (next[t] closes over to t + 1).
        if (cp === SLASH) next[t] = 1;
        else nextInner[t] = 1;
        alive = true;
        continue;
      }
      if (cur[t] !== 1) continue;
      switch (tok.kind) {
        case 'char':
          if (tok.cp === cp) {
            next[t + 1] = 1;
            alive = true;
          }
          break;
        case 'any':
          next[t + 1] = 1;
          alive = true;
          break;
        case 'class':
          if (classMatches(tok.specs, cp) !== tok.negated) {
            next[t + 1] = 1;
            alive = true;
          }
          break;
        case 'star':
          next[t] = 1;
          alive = true;
          break;
      }
    }
    if (!alive) return false;
    epsilonClose(tokens, next);
    let swap = cur;
    cur = next;
    next = swap;
    swap = inner;
    inner = nextInner;
    nextInner = swap;
  }
  return cur[m] === 1;
}

/** Compiled patterns (or `null` for patterns that do not parse); bounded, oldest entry evicted first. */
const MAX_CACHED_PATTERNS = 4096;
const cache = new Map<string, CompiledApprovalGlob | null>();

/** The compiled pattern from the cache (compiling it on a miss), or `null` when it does not parse. */
export function cachedApprovalGlob(pattern: string): CompiledApprovalGlob | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let compiled: CompiledApprovalGlob | null;
  try {
    compiled = compileApprovalGlob(pattern);
  } catch (e) {
    if (!(e instanceof GlobPatternError)) throw e;
    compiled = null;
  }
  if (cache.size >= MAX_CACHED_PATTERNS) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(pattern, compiled);
  return compiled;
}

/** True when `pattern` parses as a glob (spec §2.3). */
export function isValidApprovalGlob(pattern: string): boolean {
  return cachedApprovalGlob(pattern) !== null;
}

/**
 * spec §2.3: a pattern matches a subject if both strings are exactly equal, or the pattern parses as a glob
 * and the whole subject matches it.
 */
export function patternMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const compiled = cachedApprovalGlob(pattern);
  return compiled !== null && approvalGlobMatches(compiled, subject);
}

/** Number of cached compiled patterns (for tests and metrics). */
export function approvalGlobCacheSize(): number {
  return cache.size;
}
