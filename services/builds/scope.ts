import type { BuildEventRow } from './repository.ts';

/** A replayable feed: rows after a sequence, then live ones (the shared runtime's FeedHub). */
export interface Feed<Row> {
  listen(key: string, afterSequence: number, listener: (rows: readonly Row[]) => void): () => void;
}

/** What the builds domain needs in every request scope. */
export interface BuildsScope {
  /** Announces a committed change of a build (topic `build`) to the runner and to subscribers. */
  bus: { publish(buildId: string): void };
  /** buildProgress: per-build event feeds. */
  events: Feed<BuildEventRow>;
  /** GANTRY_ALLOW_FILE_REPOS=1: builds may clone file:// URLs (development only). */
  allowFileRepos: boolean;
  /** The URL clients reach Gantry at (webhook and tarball URLs); known once the server listens. */
  publicUrl: () => string;
}
