import { LoadTestError } from './errors.js';

/**
 * Every kind of turn the harness drives (one entry per thing a user of the runtime does; see `turn-kinds.ts`
 * for what each one sends and waits for).
 */
export const TURN_KINDS = [
  'echo',
  'stream',
  'bash',
  'deny',
  'remember',
  'read',
  'direct',
  'queue',
  'dequeue',
  'cancel',
  'edit',
  'compact',
  'agent',
  'error',
] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

/** Relative weights of the turn kinds; a kind missing from a mix never runs. */
export type TurnMix = Partial<Record<TurnKind, number>>;

/**
 * The default mix: mostly plain and tool turns (what real sessions do most), every other kind present so a run
 * with the defaults exercises all of them.
 */
export const DEFAULT_MIX: Readonly<Record<TurnKind, number>> = {
  echo: 6,
  stream: 2,
  bash: 3,
  deny: 1,
  remember: 1,
  read: 2,
  direct: 1,
  queue: 1,
  dequeue: 1,
  cancel: 1,
  edit: 1,
  compact: 1,
  agent: 1,
  error: 1,
};

/** Named mixes `--mix` also accepts. */
export const MIX_PRESETS: Readonly<Record<string, TurnMix>> = {
  default: DEFAULT_MIX,
  echo: { echo: 1 },
  tools: { bash: 1, read: 1 },
};

const isTurnKind = (name: string): name is TurnKind => (TURN_KINDS as readonly string[]).includes(name);

/**
 * Parses `--mix`: a preset name (`default`, `echo`, `tools`) or `kind=weight` pairs separated by commas
 * (`echo=5,bash=2,read=2,queue=1`). Weights are non-negative numbers; at least one must be positive.
 */
export function parseMix(text: string): TurnMix {
  const trimmed = text.trim();
  const preset = MIX_PRESETS[trimmed];
  if (preset !== undefined) return { ...preset };
  const mix: TurnMix = {};
  for (const part of trimmed.split(',')) {
    const pair = part.trim();
    const match = /^([a-z]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(pair);
    if (match === null) {
      throw new LoadTestError(
        'INVALID_OPTIONS',
        `--mix: expected kind=weight pairs or a preset (${Object.keys(MIX_PRESETS).join(', ')}), got '${pair}'`,
      );
    }
    const [, name, weight] = match as unknown as [string, string, string];
    if (!isTurnKind(name)) {
      throw new LoadTestError(
        'INVALID_OPTIONS',
        `--mix: unknown turn kind '${name}' (kinds: ${TURN_KINDS.join(', ')})`,
      );
    }
    if (mix[name] !== undefined) throw new LoadTestError('INVALID_OPTIONS', `--mix: '${name}' given twice`);
    mix[name] = Number(weight);
  }
  if (!Object.values(mix).some((w) => w > 0)) {
    throw new LoadTestError('INVALID_OPTIONS', '--mix: at least one weight must be positive');
  }
  return mix;
}

/** `echo=5,bash=2` (kinds in their canonical order, zero weights left out). */
export function formatMix(mix: TurnMix): string {
  return TURN_KINDS.filter((k) => (mix[k] ?? 0) > 0)
    .map((k) => `${k}=${mix[k]}`)
    .join(',');
}

/**
 * Picks turn kinds by weight, deterministically from a seed: turn `i` of a run always gets the same kind for
 * the same seed and mix, whoever asks and in whatever order (so open and closed loop runs are comparable).
 */
export class MixPicker {
  private readonly kinds: TurnKind[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(
    mix: TurnMix,
    private readonly seed: number,
  ) {
    this.kinds = TURN_KINDS.filter((k) => (mix[k] ?? 0) > 0);
    this.cumulative = [];
    let sum = 0;
    for (const k of this.kinds) {
      sum += mix[k]!;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  kindOf(turnIndex: number): TurnKind {
    const x = unitHash(this.seed, turnIndex) * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]!) return this.kinds[i]!;
    return this.kinds[this.kinds.length - 1]!;
  }
}

/** A uniform number in [0, 1) from (seed, index): a 32-bit integer mix (splitmix-style), no state. */
function unitHash(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x1_0000_0000;
}
