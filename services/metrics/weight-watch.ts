import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.ts';
import { releaseEvents, releases } from '../../db/schema/index.ts';
import type { ReleaseState } from '../releases/model.ts';
import { activeStep } from '../releases/steps.ts';
import type { TopicBus } from '../shared/runtime/bus.ts';
import { WEIGHT_DIVERGENCE_POINTS } from './analysis.ts';
import type { Monitoring } from './monitoring.ts';
import { observedWeightQuery, type MetricScope } from './queries.ts';
import { sampleValue } from './range.ts';

/** Where the watch of one release's active step stands (in this process). */
interface StepWatch {
  stepIndex: number;
  /** When the first of the readings in a row that were all far from the applied weight was taken. */
  farSince: number | null;
  lastCheck: number;
  flagged: boolean;
}

/**
 * The observed-weight flag of every canary, with or without canary analysis: while a step's
 * weight is applied, its observed weight (the share of requests the new version served over the
 * window) is read every window; when it is still more than 10 points off the applied weight a
 * whole window after the first reading that was, the step gets one `WEIGHT_DIVERGED` event
 * (observed beside applied): a router that does not do what it reads back, or pods that take no
 * traffic. Readings start one window after the weight was applied (the window then holds only
 * this step's traffic). No Prometheus, or no traffic at all, is no reading.
 *
 * Runs beside the analyzer in the engine's reconcile of the release (it is given the same
 * arguments); the event is appended in its own transaction, which takes the release's next event
 * sequence and bumps its row version, so it never interleaves with a transition.
 */
export class WeightWatch {
  private readonly steps = new Map<string, StepWatch>();

  constructor(private readonly deps: { db: Database; monitoring: Monitoring; bus: TopicBus; logger: Logger }) {}

  /** The reading window: a minute, as `Release.observedWeight`, or 4 scrapes if that is shorter. */
  get windowSeconds(): number {
    return Math.min(60, 4 * this.deps.monitoring.scrapeSeconds);
  }

  /** Reads and, when due, flags; never throws (a failure is logged and retried at the next check). */
  async check(release: { id: string; version: string }, state: ReleaseState, scope: MetricScope, now: Date): Promise<void> {
    try {
      await this.checkOnce(release, state, scope, now.getTime());
    } catch (error) {
      this.deps.logger.warn({ release: release.id, err: (error as Error).message }, 'observed weight check failed');
    }
  }

  private async checkOnce(release: { id: string; version: string }, state: ReleaseState, scope: MetricScope, now: number): Promise<void> {
    const step = activeStep(state);
    const prometheus = this.deps.monitoring.prometheusOrNull;
    const applied = state.appliedWeight;
    if (state.strategy !== 'CANARY' || !step || !step.weightAppliedAt || applied === null || !prometheus) {
      this.steps.delete(release.id);
      return;
    }
    const windowMs = this.windowSeconds * 1000;
    // Finished releases are not checked again: forget the watches that went quiet.
    for (const [id, old] of this.steps) if (id !== release.id && now - old.lastCheck > 10 * windowMs + 600_000) this.steps.delete(id);
    let watch = this.steps.get(release.id);
    if (!watch || watch.stepIndex !== step.index) {
      watch = { stepIndex: step.index, farSince: null, lastCheck: 0, flagged: false };
      this.steps.set(release.id, watch);
    }
    if (watch.flagged || now - step.weightAppliedAt.getTime() < windowMs || now - watch.lastCheck < windowMs / 4) return;
    watch.lastCheck = now;
    const [sample] = await prometheus.query(observedWeightQuery(scope, release.version, this.windowSeconds), new Date(now)).catch(() => []);
    const observed = sample ? sampleValue(sample.value[1]) : null;
    if (observed === null) return;
    if (Math.abs(observed - applied) <= WEIGHT_DIVERGENCE_POINTS) {
      watch.farSince = null;
      return;
    }
    watch.farSince ??= now;
    if (now - watch.farSince < windowMs) return;
    watch.flagged = true;
    const message = `step ${step.index + 1} (${step.weight}%): observed weight ${Math.round(observed)}% stayed more than ${WEIGHT_DIVERGENCE_POINTS} points from the applied ${applied}% for ${Math.round((now - watch.farSince) / 1000 + this.windowSeconds)} s`;
    if (await this.append(release.id, step.index, applied, message, new Date(now))) this.deps.bus.publish(release.id);
  }

  /** Appends the event once per step (another process may have flagged it already). */
  private append(releaseId: string, stepIndex: number, weight: number, message: string, at: Date): Promise<boolean> {
    return this.deps.db.transaction(async (tx) => {
      // The release's row lock first, as transitions take it: flags of two processes queue up.
      const [locked] = await tx.select({ id: releases.id }).from(releases).where(and(eq(releases.id, releaseId), isNull(releases.finishedAt))).for('update');
      if (!locked) return false;
      const [already] = await tx
        .select({ sequence: releaseEvents.sequence })
        .from(releaseEvents)
        .where(and(eq(releaseEvents.releaseId, releaseId), eq(releaseEvents.type, 'WEIGHT_DIVERGED'), eq(releaseEvents.stepIndex, stepIndex)))
        .limit(1);
      if (already) return false;
      const [row] = await tx
        .update(releases)
        .set({ eventCount: sql`${releases.eventCount} + 1`, rowVersion: sql`${releases.rowVersion} + 1` })
        .where(eq(releases.id, releaseId))
        .returning({ sequence: releases.eventCount });
      if (!row) return false;
      await tx.insert(releaseEvents).values({ releaseId, sequence: row.sequence, at, type: 'WEIGHT_DIVERGED', message, stepIndex, weight, readyReplicas: null });
      return true;
    });
  }
}
