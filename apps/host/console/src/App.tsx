import { useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api.js';
import { keyHint } from './format.js';
import { KeyForm } from './KeyForm.js';
import { useRoute } from './route.js';
import { SessionList } from './SessionList.js';
import { SessionPage } from './SessionPage.js';

// The key lives in this tab's sessionStorage only: it survives a reload, never the tab, and is never put in
// a URL, so it stays out of history and access logs.
const KEY_STORAGE = 'shoal-console-api-key';

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => sessionStorage.getItem(KEY_STORAGE));
  const api = useMemo(() => (apiKey === null ? null : new ApiClient(apiKey)), [apiKey]);
  const route = useRoute();

  const signIn = (key: string) => {
    sessionStorage.setItem(KEY_STORAGE, key);
    setApiKey(key);
  };
  const signOut = () => {
    sessionStorage.removeItem(KEY_STORAGE);
    setApiKey(null);
    location.hash = '#/';
  };

  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="#/">
          Shoal console
        </a>
        {api !== null && (
          <div class="topbar-right">
            <span class="muted" title="the API key in use">
              key {keyHint(api.apiKey)}
            </span>
            <button type="button" class="ghost" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main class="content">
        {api === null ? (
          <KeyForm onKey={signIn} />
        ) : route.name === 'session' ? (
          <SessionPage
            key={`${api.apiKey}:${route.id}`}
            api={api}
            sessionId={route.id}
            onUnauthorized={signOut}
          />
        ) : (
          <SessionList key={api.apiKey} api={api} onUnauthorized={signOut} />
        )}
      </main>
    </div>
  );
}
