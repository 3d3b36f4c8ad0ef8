/**
 * The small pieces every transition of the release machine (machine.ts) is built from: events,
 * refusals, step patches. Pure, like the machine.
 */
import type { MachineError, MachineErrorReason, NewReleaseEvent, ReleaseEventType, ReleaseState, ReleaseStep, Transition } from './model.ts';

type EventFields = Partial<Pick<NewReleaseEvent, 'stepIndex' | 'weight' | 'readyReplicas'>>;

/** The state with one step patched. */
export function withStep(state: ReleaseState, index: number, patch: Partial<ReleaseStep>): ReleaseState {
  return { ...state, steps: state.steps.map((step) => (step.index === index ? { ...step, ...patch } : step)) };
}

/** Nothing changes: no events, no effects. */
export function unchanged(state: ReleaseState): Transition {
  return { next: state, effects: [], events: [] };
}

/** A command the state does not allow: STALE_STEP for a promotion of another step, CONFLICT otherwise. */
export function refuse(reason: MachineErrorReason, message: string): { error: MachineError } {
  return { error: { code: reason === 'STEP_MISMATCH' ? 'STALE_STEP' : 'CONFLICT', reason, message } };
}

/** A release event at `at`. */
export function event(type: ReleaseEventType, at: Date, message: string, fields: EventFields = {}): NewReleaseEvent {
  const { stepIndex = null, weight = null, readyReplicas = null } = fields;
  return { type, at, message, stepIndex, weight, readyReplicas };
}

/** A step as users read it: `1 (50%)`. */
export function label(step: ReleaseStep): string {
  return `${step.index} (${step.weight}%)`;
}
