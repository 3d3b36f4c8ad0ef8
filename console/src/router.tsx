import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A router of four routes needs no library: the path is the state, `navigate` pushes it, and the
 * server answers every page path with index.html, so deep links work on reload.
 */
const CHANGE = 'gantry:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The current location's path, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** A page of the console, parsed from its path. */
export type Route =
  | { page: 'projects' }
  | { page: 'project'; project: string }
  | { page: 'app'; project: string; app: string }
  | { page: 'environment'; project: string; app: string; environment: string }
  | { page: 'not-found' };

/** Parses `/`, `/p/<project>`, `/p/<project>/a/<app>` and `/p/<project>/a/<app>/e/<environment>`. */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  if (parts.some((part) => part === null)) return { page: 'not-found' };
  const [p, project, a, app, e, environment, ...rest] = parts as string[];
  if (parts.length === 0) return { page: 'projects' };
  if (p !== 'p' || !project) return { page: 'not-found' };
  if (parts.length === 2) return { page: 'project', project };
  if (a !== 'a' || !app) return { page: 'not-found' };
  if (parts.length === 4) return { page: 'app', project, app };
  if (e !== 'e' || !environment || rest.length) return { page: 'not-found' };
  return { page: 'environment', project, app, environment };
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Paths of the console's pages. */
export const paths = {
  project: (project: string) => `/p/${encodeURIComponent(project)}`,
  app: (project: string, app: string) => `${paths.project(project)}/a/${encodeURIComponent(app)}`,
  environment: (project: string, app: string, environment: string) => `${paths.app(project, app)}/e/${encodeURIComponent(environment)}`,
};

/** An ordinary link (opens in a new tab as usual) that navigates in place on a plain click. */
export function Link({ to, ...props }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...props} />;
}
