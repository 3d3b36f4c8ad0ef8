import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A router of a few routes needs no library: the path is the state, `navigate` pushes it, and the
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

/** The panels of an environment page; `overview` (release, workload, history) is the bare path. */
export const ENVIRONMENT_PANELS = ['overview', 'logs', 'metrics', 'config', 'cron', 'alerts', 'vms'] as const;
export type EnvironmentPanel = (typeof ENVIRONMENT_PANELS)[number];

/** A page of the console, parsed from its path. */
export type Route =
  | { page: 'projects' }
  | { page: 'project'; project: string }
  | { page: 'app'; project: string; app: string }
  | { page: 'build'; project: string; app: string; build: string }
  | { page: 'environment'; project: string; app: string; environment: string; panel: EnvironmentPanel }
  | { page: 'not-found' };

const isPanel = (value: string): value is EnvironmentPanel => (ENVIRONMENT_PANELS as readonly string[]).includes(value);

/**
 * Parses `/`, `/p/<project>`, `/p/<project>/a/<app>`, `/p/<project>/a/<app>/b/<build id>` and
 * `/p/<project>/a/<app>/e/<environment>[/<panel>]`.
 */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  if (parts.some((part) => part === null)) return { page: 'not-found' };
  const [p, project, a, app, e, environment, panel, ...rest] = parts as string[];
  if (parts.length === 0) return { page: 'projects' };
  if (p !== 'p' || !project) return { page: 'not-found' };
  if (parts.length === 2) return { page: 'project', project };
  if (a !== 'a' || !app) return { page: 'not-found' };
  if (parts.length === 4) return { page: 'app', project, app };
  if (e === 'b' && environment && parts.length === 6) return { page: 'build', project, app, build: environment };
  if (e !== 'e' || !environment || rest.length) return { page: 'not-found' };
  if (panel === undefined) return { page: 'environment', project, app, environment, panel: 'overview' };
  return isPanel(panel) && panel !== 'overview' ? { page: 'environment', project, app, environment, panel } : { page: 'not-found' };
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
  environment: (project: string, app: string, environment: string, panel: EnvironmentPanel = 'overview') =>
    `${paths.app(project, app)}/e/${encodeURIComponent(environment)}${panel === 'overview' ? '' : `/${panel}`}`,
  build: (project: string, app: string, buildId: string) => `${paths.app(project, app)}/b/${encodeURIComponent(buildId)}`,
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
