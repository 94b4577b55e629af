import type { ScriptName } from './options.js';

/** What one user turn does with the simulated model (api.md "The simulated model"). */
export type TurnKind = 'echo' | 'bash' | 'read_file';

export interface ScriptTurn {
  kind: TurnKind;
  /** the user input submitted with `submitUserInput` */
  text: string;
  /** under the `normal` agent this turn's tool call asks for approval, which the harness grants */
  needsApproval: boolean;
}

/** The file the bash turn writes (and prints) and the read_file turn reads back, inside the workspace. */
export const NOTES_FILE = 'notes.txt';

/** The simulated model echoes plain lines: `echo: …`, then the operation completes. */
export function echoTurn(session: number, turn: number): ScriptTurn {
  return { kind: 'echo', text: `hello from session ${session}, turn ${turn}`, needsApproval: false };
}

/**
 * A `bash` tool call: asks for approval under the `normal` agent; the harness approves it (without
 * remembering, so every bash turn asks again); its stdout is `hi`, and it leaves `notes.txt` behind.
 */
export function bashTurn(): ScriptTurn {
  const params = JSON.stringify({ command: `echo hi | tee ${NOTES_FILE}` });
  return { kind: 'bash', text: `/tool bash ${params}`, needsApproval: true };
}

/**
 * A `read_file` tool call, pre-approved by policy. It reads what an earlier bash turn wrote; every script
 * that reads runs a bash turn first (a read of a missing file would still end the turn, with a tool error).
 */
export function readFileTurn(): ScriptTurn {
  const params = JSON.stringify({ file_path: NOTES_FILE });
  return { kind: 'read_file', text: `/tool read_file ${params}`, needsApproval: false };
}

const CYCLES: Record<ScriptName, readonly TurnKind[]> = {
  echo: ['echo'],
  tools: ['bash', 'read_file'],
  mixed: ['echo', 'bash', 'read_file'],
};

/**
 * The turns of one session, in order: the script's cycle repeated (`mixed`: echo, bash, read_file, echo, …;
 * `tools`: bash, read_file, …; `echo`: echo only). `session` only varies the echo text.
 */
export function scriptTurns(script: ScriptName, turns: number, session: number): ScriptTurn[] {
  const cycle = CYCLES[script];
  const out: ScriptTurn[] = [];
  for (let i = 0; i < turns; i++) {
    const kind = cycle[i % cycle.length]!;
    out.push(kind === 'echo' ? echoTurn(session, i + 1) : kind === 'bash' ? bashTurn() : readFileTurn());
  }
  return out;
}
