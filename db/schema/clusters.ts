import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity.ts';

/**
 * Clusters registered through the API. The kubeconfig is stored only encrypted
 * (AES-256-GCM with GANTRY_SECRET_KEY) and never returned by the API.
 */
export const clusters = pgTable('clusters', {
  name: text('name').primaryKey(),
  kubeconfigCiphertext: text('kubeconfig_ciphertext').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
});
