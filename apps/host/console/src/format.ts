import type { ToolError } from '@shoal/shared';
import type { SessionStatus } from './api.js';

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatTime = (ms: number): string => timeFormat.format(ms);
export const formatDateTime = (ms: number): string => dateTimeFormat.format(ms);

export const statusLabel: Record<SessionStatus, string> = {
  idle: 'idle',
  running: 'running',
  waiting_for_approval: 'waiting for approval',
};

/** spec §1.7 display text of a tool error. */
export function toolErrorText(e: ToolError): string {
  switch (e.type) {
    case 'UnknownTool':
      return `Unknown tool: ${e.toolName}`;
    case 'InvalidParams':
      return `Invalid parameters for ${e.toolName}: ${e.message}`;
    case 'Execution':
      return `${e.toolName} failed: ${e.message}`;
    case 'Cancelled':
      return `${e.toolName} was cancelled`;
    case 'Timeout':
      return `${e.toolName} timed out`;
    case 'DeniedByUser':
      return `${e.toolName} was denied by the user`;
    case 'DeniedByPolicy':
      return `${e.toolName} denied by approval policy`;
    case 'InternalError':
      return `Unexpected error: ${e.message}`;
  }
}

export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A short, stable handle for a key, so the header can say which key is in use without showing it. */
export function keyHint(key: string): string {
  return key.length <= 4 ? '••••' : `••••${key.slice(-4)}`;
}
