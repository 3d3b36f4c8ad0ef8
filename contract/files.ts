/**
 * The API contract files the schema is held to, copied byte for byte from the shared
 * `../shared/api/` (see its README) so a clone with nothing beside it still tests its contract.
 * test/server/contract-copy.test.ts checks the copies still equal the originals whenever
 * `../shared/api` is present.
 *
 * A domain's file joins this list (and this folder) in the change that implements the domain.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONTRACT_FILES: readonly string[] = ['contract.graphql', 'log-lines.graphql', 'logs.graphql', 'builds.graphql', 'config.graphql', 'metrics.graphql', 'alerts.graphql', 'vms.graphql'];

/** This folder: where the copies live. */
export const CONTRACT_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The shared originals, beside the repository; absent in a lone clone. */
export const SHARED_CONTRACT_DIR = fileURLToPath(new URL('../../shared/api/', import.meta.url));

/** The contract the schema must satisfy: every file in use, concatenated (they form one schema). */
export function loadContract(): string {
  return CONTRACT_FILES.map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
}
