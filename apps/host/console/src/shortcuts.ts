import { useEffect, useRef } from 'preact/hooks';

export interface ShortcutActions {
  focusComposer: () => void;
  approve: () => void;
  deny: () => void;
  cancel: () => void;
}

/**
 * Single-key shortcuts on the session page. They act only when focus is not in a text field (so typing is
 * never hijacked); Esc in a text field leaves it, and Esc outside one cancels the running operation.
 */
export function useShortcuts(actions: ShortcutActions): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      if (target !== null && isTextField(target)) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      const a = latest.current;
      const run = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (e.key === 'i' || e.key === '/') run(a.focusComposer);
      else if (e.key === 'a') run(a.approve);
      else if (e.key === 'd') run(a.deny);
      else if (e.key === 'Escape') run(a.cancel);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

function isTextField(el: HTMLElement): boolean {
  if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)
    return true;
  if (!(el instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(el.type);
}
