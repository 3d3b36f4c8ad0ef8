-- btree_gin: GIN operator classes for uuid and bigint, so the chunk search index holds the
-- environment and the sequence beside the trigrams (see db/schema/logs.ts).
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "pod_log_chunks_body_trgm_idx";--> statement-breakpoint
CREATE INDEX "pod_log_chunks_search_idx" ON "pod_log_chunks" USING gin ("environment_id","last_sequence","body" gin_trgm_ops);
