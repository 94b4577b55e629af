import {
  type AssistantContent,
  type Message,
  type ToolResult,
  thoughtDisplayText,
  toolErrorDisplay,
  type UserContent,
} from '@shoal/shared';

// spec §1.6: the LLM text rendering of a tool result — what a provider sees as the tool-result content.
// Bash output is already capped by the bash tool (head+tail, §1.6 limits), so it is rendered as is.
export function toolResultText(result: ToolResult): string {
  switch (result.type) {
    case 'External':
      return result.payload;
    case 'FileContent':
      return result.content;
    case 'Error':
      return `Error: ${toolErrorDisplay(result.error)}`;
    case 'Bash': {
      const parts: string[] = [result.stdout];
      if (result.timedOut) parts.push('Command timed out.');
      if (result.exitCode !== 0) {
        parts.push(`Exit code: ${result.exitCode}`);
        if (result.stderr.length > 0) parts.push(`Stderr:\n${result.stderr}`);
      } else if (result.stderr.length > 0) {
        parts.push(`Stderr:\n${result.stderr}`);
      }
      return parts.filter((p) => p.length > 0).join('\n');
    }
    case 'Edit':
      if (!result.changesMade) return `No changes made to ${result.filePath}`;
      return result.fileCreated ? `Created ${result.filePath}` : `Edited ${result.filePath}`;
    case 'FileList':
      return result.entries.map((e) => (e.isDirectory ? `${e.path}/` : e.path)).join('\n');
    case 'Glob':
      return result.matches.join('\n');
    case 'Search':
      return result.matches.map((m) => `${m.filePath}:${m.lineNumber}: ${m.lineContent}`).join('\n');
  }
}

/** Characters a user content item contributes (spec §3.2.13 estimation rules). */
function userContentChars(c: UserContent): number {
  switch (c.type) {
    case 'text':
      return c.text.length;
    case 'image':
      return c.image.mimeType.length;
    case 'command_execution':
      return c.command.length + c.stdout.length + c.stderr.length;
  }
}

function assistantContentChars(c: AssistantContent): number {
  switch (c.type) {
    case 'text':
      return c.text.length;
    case 'image':
      return c.image.mimeType.length;
    case 'tool_call':
      return c.toolCall.name.length + (JSON.stringify(c.toolCall.parameters ?? null)?.length ?? 0);
    case 'thought':
      return thoughtDisplayText(c.thought).length;
  }
}

/** Characters of one message as the model sees it: content text, tool-call JSON, tool-result LLM text. */
export function messageChars(m: Message): number {
  switch (m.role) {
    case 'user':
      return m.content.reduce((n, c) => n + userContentChars(c), 0);
    case 'assistant':
      return m.content.reduce((n, c) => n + assistantContentChars(c), 0);
    case 'tool':
      return toolResultText(m.result).length;
  }
}

/** The text items of a user message joined by newlines (images and command executions are not text). */
export function userText(content: UserContent[]): string {
  return content
    .filter((c): c is Extract<UserContent, { type: 'text' }> => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
