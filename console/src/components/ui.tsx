import { useEffect, useRef, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { describeError } from '../api/errors.ts';

/** A page: its title in the tab and an h1 that takes focus after navigation (for screen readers). */
export function Page({ title, heading, children }: { title: string; heading?: ReactNode; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Gantry`;
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <>
      <h1 ref={ref} tabIndex={-1}>{heading ?? title}</h1>
      {children}
    </>
  );
}

/** An API error in words, announced to screen readers. */
export function ErrorText({ error }: { error: CombinedError | string | null | undefined }) {
  if (!error) return null;
  return <p role="alert" className="error">{typeof error === 'string' ? error : describeError(error)}</p>;
}

/** A date-time as the viewer's local time, with the exact instant on hover. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span>–</span>;
  const date = new Date(at);
  return <time dateTime={at} title={date.toISOString()}>{date.toLocaleString()}</time>;
}

/** A status as a coloured label (colour never carries the meaning alone: the word is there). */
export function Status({ value }: { value: string }) {
  return <span className={`status status-${value.toLowerCase()}`}>{value.replace(/_/g, ' ').toLowerCase()}</span>;
}

/** Loading text that does not flash for fast answers. */
export function Loading({ what }: { what: string }) {
  return <p className="loading" aria-live="polite">Loading {what}…</p>;
}
