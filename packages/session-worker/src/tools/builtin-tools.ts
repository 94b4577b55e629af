import { type BashToolOptions, bashTool } from './bash.js';
import { editFileTool } from './edit-file.js';
import { globTool } from './glob.js';
import { grepTool } from './grep.js';
import { lsTool } from './ls.js';
import { readFileTool } from './read-file.js';
import type { Tool } from './tool.js';
import { writeFileTool } from './write-file.js';

export interface BuiltinToolOptions {
  bash?: BashToolOptions;
}

/** The built-in tools of api.md, in the order their schemas are offered to the model. */
export function builtinTools(options: BuiltinToolOptions = {}): Tool[] {
  return [
    bashTool(options.bash),
    readFileTool(),
    writeFileTool(),
    editFileTool(),
    lsTool(),
    globTool(),
    grepTool(),
  ];
}
