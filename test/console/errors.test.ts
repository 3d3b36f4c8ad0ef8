import { describe, expect, it } from 'vitest';
import { inWords } from '../../console/src/api/error-words.ts';

// The words the console shows for an API error. A browser test cannot make the page send a stale
// promotion: the live page replaces its promote dialog as soon as the step moves on, so the
// STALE_STEP answer (a promotion racing another) is checked here on the code and message it carries.
describe("the console's words for API errors", () => {
  it('should say that someone promoted already for STALE_STEP, without the machine message', () => {
    const text = inWords('STALE_STEP', 'expectedStepIndex 0 is stale: the release is at step 1');
    expect(text).toBe('Someone promoted already: the release has moved past that step. The page shows where it is now.');
  });

  it("should put the meaning of the code before Gantry's own message, and say when Gantry cannot be reached", () => {
    expect(inWords('FORBIDDEN', 'promoteRelease needs MAINTAINER on a protected environment')).toBe(
      'Your role in this project does not allow this. promoteRelease needs MAINTAINER on a protected environment',
    );
    expect(inWords('SOMETHING_NEW', 'no words for this yet')).toBe('The request failed. no words for this yet');
    expect(inWords(null, null)).toBe('Gantry cannot be reached. Check the connection and try again.');
  });
});
