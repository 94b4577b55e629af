// spec §5.5 and §3.2.15: fixed prompts of the compaction flow (Shoal's own wording).

/** spec §5.5: the instruction appended to the thread when asking the model for a compaction summary. */
export const COMPACTION_PROMPT = `CHECKPOINT COMPACTION. The conversation so far is about to be replaced by a summary. Write a concise,
structured hand-off summary for another model that will resume this task without seeing the conversation.

Cover, under short headings:
1. Progress: what has been done so far and the key decisions made (with the reasons, when they matter).
2. Context: important constraints, requirements and user preferences stated in the conversation.
3. Next steps: what remains to be done, in order, including anything that was in progress.
4. Critical data: exact file paths, identifiers, commands, error messages, values and references needed
   to continue.

Do not include system-context details (repository layout, version-control state, environment), tool
schemas or descriptions, or general project information that can be rediscovered. Reply with the summary only.`;

/** spec §3.2.15: the synthetic user message sent after an automatic compaction (never stored). */
export const CONTINUATION_PROMPT =
  'The conversation was compacted into the summary above. Pick up from that summary and carry on with the ' +
  'task where it left off, without repeating work that is already done.';
