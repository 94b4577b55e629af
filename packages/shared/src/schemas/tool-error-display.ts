import type { ToolError } from './tool-result.js';

// Kept apart from the schemas (no zod import) so that the browser console can bundle it alone.

/** spec §1.7 display templates. */
export function toolErrorDisplay(e: ToolError): string {
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
      return `${e.toolName} requires approval to run`;
    case 'DeniedByPolicy':
      return `${e.toolName} denied by approval policy`;
    case 'InternalError':
      return `Unexpected error: ${e.message}`;
  }
}
