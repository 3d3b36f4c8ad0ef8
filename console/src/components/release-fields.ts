import { graphql } from '../gql/index.ts';

/** What the live release panel shows of a release; each releaseProgress event carries it afresh. */
export const ReleaseLiveFields = graphql(`
  fragment ReleaseLive on Release {
    id version image strategy status statusMessage currentStepIndex declaredWeight appliedWeight
    isRollback createdAt finishedAt
    createdBy { id login }
    steps { index weight untilPromoted pauseSeconds status }
  }
`);

/** Final release statuses: nothing more happens to such a release. */
export const FINAL_STATUSES = new Set(['SUCCEEDED', 'ABORTED', 'FAILED', 'SUPERSEDED']);
