import type { Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface Props {
  busy: boolean;
  inputRef: Ref<HTMLTextAreaElement>;
  /** text handed back by a cancel (the queued input it popped), to edit and resend */
  returned: string | null;
  onSend: (text: string) => Promise<boolean>;
}

/** The message box: Enter sends, Shift+Enter starts a new line. While a turn runs, input is queued. */
export function Composer({ busy, inputRef, returned, onSend }: Props) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (returned !== null) setText((t) => (t === '' ? returned : t));
  }, [returned]);

  const send = async () => {
    if (text.trim() === '' || sending) return;
    setSending(true);
    const ok = await onSend(text);
    setSending(false);
    if (ok) setText('');
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label for="composer-input" class="sr-only">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={inputRef}
        rows={3}
        value={text}
        placeholder={
          busy
            ? 'A turn is running: what you send now is queued'
            : 'Message (Enter to send, Shift+Enter for a new line)'
        }
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button type="submit" class="primary" disabled={sending || text.trim() === ''}>
        {busy ? 'Queue' : 'Send'}
      </button>
    </form>
  );
}
