import { useMemo, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { useLogTail } from '../api/log-tail.ts';
import { graphql } from '../gql/index.ts';
import type { LogFilter, LogLineFieldsFragment } from '../gql/graphql.ts';
import { LogLines } from './log-lines.tsx';
import { ErrorText } from './ui.tsx';

const EnvironmentLogs = graphql(`
  query EnvironmentLogs($id: ID!, $filter: LogFilter, $first: Int, $after: String) {
    node(id: $id) {
      ... on Environment {
        logs(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...LogLineFields } }
      }
    }
  }
`);

const PAGE = 50;

/** A release whose pods the reader may pick (the stable version and the canary track). */
export interface Track {
  id: string;
  version: string;
  role: 'stable' | 'canary';
}

/**
 * The environment's pod logs: filters (pod, track, text, regular expression), the latest stored
 * lines with older pages on request, and the live tail continuing right after them.
 */
export function LogsPanel({ environmentId, pods, tracks }: { environmentId: string; pods: readonly string[]; tracks: readonly Track[] }) {
  const [filter, setFilter] = useState<LogFilter>({});
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setFilter({
      ...(text('pod') ? { pods: [text('pod')] } : {}),
      ...(text('track') ? { releaseId: text('track') } : {}),
      ...(text('contains') ? { contains: text('contains') } : {}),
      ...(text('regex') ? { regex: text('regex') } : {}),
    });
  };
  return (
    <section aria-labelledby="logs" className="panel">
      <h2 id="logs">Logs</h2>
      <form className="inline" role="search" aria-label="Log filters" onSubmit={apply}>
        <label>Pod
          <select name="pod" defaultValue="">
            <option value="">all pods</option>
            {pods.map((pod) => <option key={pod} value={pod}>{pod}</option>)}
          </select>
        </label>
        <label>Track
          <select name="track" defaultValue="">
            <option value="">all versions</option>
            {tracks.map((t) => <option key={t.id} value={t.id}>{t.version} ({t.role})</option>)}
          </select>
        </label>
        <label>Contains <input name="contains" maxLength={1000} spellCheck={false} /></label>
        <label>Regular expression <input name="regex" maxLength={1000} spellCheck={false} placeholder="RE2, e.g. status=5\d\d" /></label>
        <button type="submit">Apply filters</button>
      </form>
      {/* A new filter starts a new view: its own history and its own tail. */}
      <LogView key={JSON.stringify(filter)} environmentId={environmentId} filter={filter} />
    </section>
  );
}

function LogView({ environmentId, filter }: { environmentId: string; filter: LogFilter }) {
  const client = useClient();
  const [{ data, error, fetching }] = useQuery({ query: EnvironmentLogs, variables: { id: environmentId, filter, first: PAGE }, requestPolicy: 'network-only' });
  const [older, setOlder] = useState<{ lines: LogLineFieldsFragment[]; next: string | null; error?: string }>({ lines: [], next: null });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const page = data?.node && 'logs' in data.node ? data.node.logs : undefined;
  // Stored lines come newest first; the tail continues right after the newest (or from now).
  const newestCursor = page ? (page.nodes[0]?.cursor ?? null) : undefined;
  const tail = useLogTail(environmentId, filter, error ? undefined : newestCursor);
  const stored = useMemo(() => [...(page?.nodes ?? []), ...older.lines].reverse(), [page, older.lines]);
  const live = useMemo(() => new Set(tail.lines.map((l) => l.cursor)), [tail.lines]);
  const nextCursor = older.lines.length ? older.next : page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;

  const loadOlder = async () => {
    setLoadingOlder(true);
    const result = await client.query(EnvironmentLogs, { id: environmentId, filter, first: PAGE, after: nextCursor }, { requestPolicy: 'network-only' }).toPromise();
    setLoadingOlder(false);
    const more = result.data?.node && 'logs' in result.data.node ? result.data.node.logs : null;
    if (!more) return setOlder((o) => ({ ...o, error: result.error ? result.error.message : 'No more lines.' }));
    setOlder((o) => ({ lines: [...o.lines, ...more.nodes], next: more.pageInfo.hasNextPage ? more.pageInfo.endCursor : null }));
  };

  if (error) return <ErrorText error={error} />;
  if (!page) return <p className="loading" aria-live="polite">{fetching ? 'Loading lines…' : ''}</p>;
  return (
    <>
      <div className="commands">
        {nextCursor && <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder}>Load older lines</button>}
        <p className="muted" data-testid="log-status">
          {tail.error ? 'The live tail stopped.' : `Following live · ${stored.length} stored and ${tail.lines.length} live lines`}
        </p>
      </div>
      {older.error && <ErrorText error={older.error} />}
      {tail.error && <ErrorText error={tail.error} />}
      <LogLines lines={tail.lines.length ? [...stored, ...tail.lines] : stored} live={live} label="Log lines" />
    </>
  );
}
