import { readFileSync } from 'node:fs';
import { buildSchema as buildSdl, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../server/graphql.ts';

/** The contract the console and scripts are written against; shared with the other teams. */
const CONTRACT = new URL('../../../shared/api/contract.graphql', import.meta.url);

describe('API contract', () => {
  it('should implement every type, field, argument and enum value of the contract without breaking changes', () => {
    const contract = buildSdl(readFileSync(CONTRACT, 'utf8'));
    const ours = buildSdl(loadTypeDefs());
    expect(findBreakingChanges(contract, ours)).toEqual([]);
  });
});
