import { z } from 'zod';

// spec §1.7: tool errors and their display text.
export const ToolErrorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('UnknownTool'), toolName: z.string() }),
  z.object({ type: z.literal('Cancelled'), toolName: z.string() }),
  z.object({ type: z.literal('Timeout'), toolName: z.string() }),
  z.object({ type: z.literal('DeniedByUser'), toolName: z.string() }),
  z.object({ type: z.literal('DeniedByPolicy'), toolName: z.string() }),
  z.object({ type: z.literal('InvalidParams'), toolName: z.string(), message: z.string() }),
  z.object({ type: z.literal('Execution'), toolName: z.string(), message: z.string() }),
  z.object({ type: z.literal('InternalError'), message: z.string() }),
]);
export type ToolError = z.infer<typeof ToolErrorSchema>;

const SearchMatchSchema = z.object({
  filePath: z.string(),
  lineNumber: z.number().int(),
  lineContent: z.string(),
  columnRange: z.tuple([z.number().int(), z.number().int()]).optional(),
});
const FileEntrySchema = z.object({
  path: z.string(),
  isDirectory: z.boolean(),
  size: z.number().int().nonnegative().optional(),
  permissions: z.string().optional(),
});

// spec §1.6: the result kinds Shoal produces (todo/fetch/agent kinds are out of scope; the union stays open).
export const ToolResultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Search'),
    matches: z.array(SearchMatchSchema),
    totalFilesSearched: z.number().int().nonnegative(),
    searchCompleted: z.boolean(),
  }),
  z.object({ type: z.literal('FileList'), entries: z.array(FileEntrySchema), basePath: z.string() }),
  z.object({
    type: z.literal('FileContent'),
    filePath: z.string(),
    content: z.string(),
    lineCount: z.number().int().nonnegative(),
    truncated: z.boolean(),
  }),
  z.object({
    type: z.literal('Edit'),
    filePath: z.string(),
    changesMade: z.boolean(),
    fileCreated: z.boolean(),
    oldContent: z.string().optional(),
    newContent: z.string().optional(),
  }),
  z.object({
    type: z.literal('Bash'),
    command: z.string(),
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().int(),
    timedOut: z.boolean().default(false),
  }),
  z.object({ type: z.literal('Glob'), matches: z.array(z.string()), pattern: z.string() }),
  z.object({ type: z.literal('External'), toolName: z.string(), payload: z.string() }),
  z.object({ type: z.literal('Error'), error: ToolErrorSchema }),
]);
export type ToolResult = z.infer<typeof ToolResultSchema>;

/** What a tool execution produced: `ok(ToolResult)` or `err(ToolError)` (spec §3.1 `ToolResult` action). */
export const ToolOutcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: ToolResultSchema }),
  z.object({ ok: z.literal(false), error: ToolErrorSchema }),
]);
export type ToolOutcome = z.infer<typeof ToolOutcomeSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const ToolResult = ToolResultSchema;
export const ToolError = ToolErrorSchema;
