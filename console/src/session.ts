/**
 * The signed-in token lives in this tab's sessionStorage only: closing the tab forgets it, other
 * tabs do not share it, and it is never put in a URL, a cookie or a log.
 */
const KEY = 'gantry.token';

/** The token of this tab's session, or null when signed out. */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
