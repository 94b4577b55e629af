import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api.js';

/** Asks for an API key and checks it against the host before using it. */
export function KeyForm({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // the only field on the page: put the cursor there
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') {
      setError('Paste an API key first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(trimmed).listSessions(1, null);
      onKey(trimmed);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'The host does not know this key.'
          : `Could not check the key: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card key-form" onSubmit={submit}>
      <h1>Connect to this host</h1>
      <p class="muted">
        Paste an API key. The console sees exactly what that key's tenant sees through the API. The key is
        kept in this tab only.
      </p>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
        ref={input}
      />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Connect'}
      </button>
    </form>
  );
}
