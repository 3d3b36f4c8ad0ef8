import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema as buildSdl } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CONTRACT_DIR, CONTRACT_FILES, loadContract, SHARED_CONTRACT_DIR } from '../../contract/files.ts';

describe('the in-repository copy of the API contract', () => {
  it('holds exactly the files in use, and together they form one valid schema', () => {
    const copies = readdirSync(CONTRACT_DIR).filter((file) => file.endsWith('.graphql')).sort();
    expect(copies).toEqual([...CONTRACT_FILES].sort());
    expect(() => buildSdl(loadContract())).not.toThrow();
  });

  it('equals ../shared/api byte for byte when that folder is present', (context) => {
    if (!existsSync(SHARED_CONTRACT_DIR)) {
      // A clone with nothing beside it: the copies are all there is, and the test above checked them.
      console.info(`notice: ${SHARED_CONTRACT_DIR} is absent; the contract copies in contract/ were not compared`);
      context.annotate?.('shared contract absent: copies not compared');
      return;
    }
    for (const file of CONTRACT_FILES) {
      const shared = join(SHARED_CONTRACT_DIR, file);
      expect(existsSync(shared), `${shared} is missing`).toBe(true);
      const copy = readFileSync(join(CONTRACT_DIR, file));
      expect(copy.equals(readFileSync(shared)), `contract/${file} differs from ${shared}: copy it again`).toBe(true);
    }
  });
});
