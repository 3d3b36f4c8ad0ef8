import { buildSchema as buildSdl, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILES, loadContract } from '../../contract/files.ts';
import { loadTypeDefs } from '../../server/graphql.ts';

describe('API contract', () => {
  it(`should implement every type, field, argument and enum value of ${CONTRACT_FILES.join(' + ')} without breaking changes`, () => {
    // The in-repository copy (contract/), so the test needs nothing outside the clone.
    const contract = buildSdl(loadContract());
    const ours = buildSdl(loadTypeDefs());
    expect(findBreakingChanges(contract, ours)).toEqual([]);
  });
});
