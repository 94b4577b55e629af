import { internText, resolveSystemPrompt, type SessionConfig, type SystemContext } from '@shoal/shared';

/**
 * spec §8.4: the prompt plus environment facts. Shoal collects only the working directory, platform and
 * date (the rest of the reference's environment collection is out of scope); collecting them does no I/O.
 */
export function systemContextFor(config: SessionConfig): SystemContext {
  const workingDirectory =
    config.workspace.type === 'local' ? config.workspace.path : config.workspace.agentAddress;
  return {
    prompt: internText(resolveSystemPrompt(config)),
    environment: {
      workingDirectory,
      platform: process.platform,
      date: new Date().toISOString().slice(0, 10),
    },
  };
}
