import { describe, expect, it } from 'vitest';
import { NOTES_FILE, scriptTurns } from './scripts.js';

describe('scriptTurns', () => {
  it('mixed cycles echo, bash, read_file', () => {
    expect(scriptTurns('mixed', 7, 0).map((t) => t.kind)).toEqual([
      'echo',
      'bash',
      'read_file',
      'echo',
      'bash',
      'read_file',
      'echo',
    ]);
  });

  it('tools alternates bash and read_file; echo only echoes', () => {
    expect(scriptTurns('tools', 3, 0).map((t) => t.kind)).toEqual(['bash', 'read_file', 'bash']);
    expect(scriptTurns('echo', 2, 4).map((t) => t.text)).toEqual([
      'hello from session 4, turn 1',
      'hello from session 4, turn 2',
    ]);
  });

  it('writes simulated-model tool lines; only bash needs approval', () => {
    const [, bash, read] = scriptTurns('mixed', 3, 0);
    expect(bash).toEqual({
      kind: 'bash',
      text: `/tool bash {"command":"echo hi | tee ${NOTES_FILE}"}`,
      needsApproval: true,
    });
    expect(read).toEqual({
      kind: 'read_file',
      text: `/tool read_file {"file_path":"${NOTES_FILE}"}`,
      needsApproval: false,
    });
  });

  it('reads the notes file only after a bash turn wrote it', () => {
    for (const script of ['mixed', 'tools'] as const) {
      const kinds = scriptTurns(script, 9, 0).map((t) => t.kind);
      const firstRead = kinds.indexOf('read_file');
      expect(kinds.indexOf('bash')).toBeLessThan(firstRead);
    }
  });
});
