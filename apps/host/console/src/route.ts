import { useEffect, useState } from 'preact/hooks';

export type Route = { name: 'sessions' } | { name: 'session'; id: string };

/** Hash routes (`#/`, `#/sessions/<id>`): the host serves one page, and back/forward still work. */
export function parseRoute(hash: string): Route {
  const match = /^#\/sessions\/([^/?#]+)$/.exec(hash);
  if (match !== null) return { name: 'session', id: decodeURIComponent(match[1]!) };
  return { name: 'sessions' };
}

export const sessionHref = (id: string): string => `#/sessions/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
