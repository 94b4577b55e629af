import { READ_ONLY_TOOLS, type ToolVisibility } from '../schemas/config.js';

const READ_ONLY_SET: ReadonlySet<string> = new Set(READ_ONLY_TOOLS);

/** spec §2.4: whether a tool name passes the visibility filter. */
export function isToolVisible(visibility: ToolVisibility, name: string): boolean {
  switch (visibility.type) {
    case 'All':
      return true;
    case 'ReadOnly':
      return READ_ONLY_SET.has(name);
    case 'Whitelist':
      return visibility.tools.includes(name);
    case 'Blacklist':
      return !visibility.tools.includes(name);
  }
}

/** spec §2.4 `filterToolsByVisibility`: keeps the visible tools, in their original order (new array). */
export function filterToolsByVisibility<T extends { name: string }>(
  visibility: ToolVisibility,
  tools: readonly T[],
): T[] {
  switch (visibility.type) {
    case 'All':
      return tools.slice();
    case 'ReadOnly':
      return tools.filter((t) => READ_ONLY_SET.has(t.name));
    case 'Whitelist': {
      const allowed = new Set(visibility.tools);
      return tools.filter((t) => allowed.has(t.name));
    }
    case 'Blacklist': {
      const blocked = new Set(visibility.tools);
      return tools.filter((t) => !blocked.has(t.name));
    }
  }
}
