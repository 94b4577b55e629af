import { type BashToolOptions, bashTool } from './bash.js';
import { editFileTool } from './edit-file.js';
import { globTool } from './glob.js';
import { grepTool } from './grep.js';
import { lsTool } from './ls.js';
import type { ToolTaskRunner } from './pool/tool-task.js';
import { readFileTool } from './read-file.js';
import type { Tool } from './tool.js';
import { writeFileTool } from './write-file.js';

export interface BuiltinToolOptions {
  bash?: BashToolOptions;
  /** where `grep` and `glob` run their walk and matching; default: the process's shared tool pool */
  pool?: ToolTaskRunner;
}

/** The built-in tools of api.md, in the order their schemas are offered to the model. */
export function builtinTools(options: BuiltinToolOptions = {}): Tool[] {
  return [
    bashTool(options.bash),
    readFileTool(),
    writeFileTool(),
    editFileTool(),
    lsTool(),
    globTool(options.pool),
    grepTool(options.pool),
  ];
}
