import { useEffect, useRef } from 'react';
import type { LogLineFieldsFragment } from '../gql/graphql.ts';

/**
 * Log lines, oldest first, in a scrollable log region that keeps to the bottom while the reader
 * is there (new lines scroll in) and stays put when they scrolled up to read.
 */
export function LogLines({ lines, label, live = new Set<string>(), showVersion = true }: {
  lines: readonly LogLineFieldsFragment[];
  label: string;
  /** Cursors of lines that arrived live (marked for the reader and the tests). */
  live?: ReadonlySet<string>;
  showVersion?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const box = ref.current;
    if (box && atBottom.current) box.scrollTop = box.scrollHeight;
  }, [lines]);
  return (
    <div
      ref={ref}
      role="log"
      // A log is polite by default: a busy one would talk over everything; readers browse it instead.
      aria-live="off"
      aria-label={label}
      className="log-lines mono"
      tabIndex={0}
      onScroll={(event) => {
        const box = event.currentTarget;
        atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
      }}
    >
      {lines.length === 0 ? <p className="muted">No lines.</p> : (
        <ol>
          {lines.map((line) => (
            <li key={line.cursor} data-cursor={line.cursor} data-source={line.source} {...(live.has(line.cursor) ? { 'data-live': '' } : {})}>
              <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>{' '}
              <span className="source">{line.source}</span>
              {showVersion && line.version && <span className="version"> {line.version}</span>}{' '}
              <span className="message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
