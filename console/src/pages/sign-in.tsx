import { useState, type FormEvent } from 'react';

/**
 * Sign in by pasting an API token. It is checked with `{ viewer { login } }` before it is kept;
 * a refused token is reported without being shown again.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget).get('token') ?? '').trim();
    if (!token) return setError('Paste an API token first.');
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'query SignIn { viewer { login } }' }),
      });
      if (res.status === 401) return setError('Gantry does not accept this token (unknown, revoked or expired).');
      const body = (await res.json()) as { data?: { viewer?: { login: string } } };
      if (!body.data?.viewer) return setError(`Signing in failed (HTTP ${res.status}).`);
      onSignedIn(token);
    } catch {
      setError('Gantry cannot be reached. Check the connection and try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Gantry</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} required aria-describedby="token-help" />
        <p id="token-help" className="hint">
          Kept in this tab only, until you sign out or close it. Mint one with <code>createApiToken</code> or <code>npm run admin-token</code>.
        </p>
        <button type="submit" disabled={busy}>Sign in</button>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
    </main>
  );
}
