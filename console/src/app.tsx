import { useCallback, useEffect, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { connect, type Link as LinkState } from './api/client.ts';
import { graphql } from './gql/index.ts';
import { AppPage } from './pages/app-page.tsx';
import { BuildPage } from './pages/build-page.tsx';
import { EnvironmentPage } from './pages/environment-page.tsx';
import { ProjectPage } from './pages/project-page.tsx';
import { ProjectsPage } from './pages/projects-page.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Link, parseRoute, usePath } from './router.tsx';
import { clearToken, storedToken, storeToken } from './session.ts';

const ViewerQuery = graphql(`
  query Viewer {
    viewer { id login name isAdmin }
  }
`);

/** The console: the sign-in form, or the signed-in shell with one connection to the API. */
export function App() {
  const [token, setToken] = useState(storedToken);
  const [link, setLink] = useState<LinkState>('online');
  const signOut = useCallback(() => {
    clearToken();
    setToken(null);
  }, []);
  const connection = useMemo(() => (token ? connect(token, setLink, signOut) : null), [token, signOut]);
  useEffect(() => () => connection?.dispose(), [connection]);
  useEffect(() => {
    const offline = () => setLink('offline');
    const online = () => setLink('online');
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, []);

  if (!connection) {
    return (
      <SignIn
        onSignedIn={(value) => {
          storeToken(value);
          setToken(value);
        }}
      />
    );
  }
  return (
    <Provider value={connection.client}>
      <Shell link={link} onSignOut={signOut} />
    </Provider>
  );
}

function Shell({ link, onSignOut }: { link: LinkState; onSignOut: () => void }) {
  const [{ data }] = useQuery({ query: ViewerQuery });
  const route = parseRoute(usePath());
  const viewer = data?.viewer;
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link to="/" className="brand">Gantry</Link>
        <nav aria-label="Tools">
          <a href="/graphql">API explorer</a>
        </nav>
        {link === 'offline' && (
          <p className="offline" role="status">
            Offline: reconnecting. Live views resume where they stopped.
          </p>
        )}
        <div className="who">
          {viewer && (
            <span data-testid="viewer">
              Signed in as <strong>{viewer.login}</strong>
              {viewer.isAdmin ? ' (platform admin)' : ''}
            </span>
          )}
          <button type="button" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'projects' && <ProjectsPage />}
        {route.page === 'project' && <ProjectPage slug={route.project} />}
        {route.page === 'app' && <AppPage slug={route.project} app={route.app} />}
        {route.page === 'build' && <BuildPage key={route.build} slug={route.project} app={route.app} buildId={route.build} />}
        {route.page === 'environment' && (
          <EnvironmentPage slug={route.project} app={route.app} environment={route.environment} panel={route.panel} isAdmin={viewer?.isAdmin ?? false} />
        )}
        {route.page === 'not-found' && (
          <section>
            <h1>No such page</h1>
            <p><Link to="/">Back to the projects</Link></p>
          </section>
        )}
      </main>
    </>
  );
}
