/** spec §3.0: the four kinds of invalid input `reduce` rejects (before changing any state). */
export type InvalidActionKind =
  | 'OperationInFlight'
  | 'MissingSessionConfig'
  | 'UnknownPrimaryAgent'
  | 'QueueEmpty';

/** spec §3.0 `ReduceError.InvalidAction`. `reduce` throws it having changed no state. */
export class InvalidActionError extends Error {
  readonly code = 'INVALID_ACTION' as const;
  readonly kind: InvalidActionKind;

  constructor(kind: InvalidActionKind, message: string) {
    super(message);
    this.name = 'InvalidActionError';
    this.kind = kind;
  }
}

export const isInvalidActionError = (e: unknown): e is InvalidActionError => e instanceof InvalidActionError;
