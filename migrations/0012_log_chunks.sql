CREATE TABLE "pod_log_chunks" (
	"environment_id" uuid NOT NULL,
	"first_sequence" bigint NOT NULL,
	"last_sequence" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "pod_log_chunks_environment_id_last_sequence_at_pk" PRIMARY KEY("environment_id","last_sequence","at")
) PARTITION BY RANGE ("at");
--> statement-breakpoint
DROP INDEX "pod_log_lines_message_trgm_idx";--> statement-breakpoint
CREATE INDEX "pod_log_chunks_body_trgm_idx" ON "pod_log_chunks" USING gin ("body" gin_trgm_ops);--> statement-breakpoint
-- Lines stored before this migration get their chunks: one partition per day that has lines,
-- runs of 128 lines of one environment and day.
DO $$
DECLARE
  part record;
BEGIN
  FOR part IN
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'pod_log_lines' AND c.relname ~ '^pod_log_lines_[0-9]{8}$'
  LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF pod_log_chunks %s', replace(part.name, 'pod_log_lines_', 'pod_log_chunks_'), part.bound);
    EXECUTE format('INSERT INTO pod_log_chunks (environment_id, first_sequence, last_sequence, first_at, at, body)
      SELECT environment_id, min(sequence), max(sequence), min(at), max(at), string_agg(message, E''\n'' ORDER BY sequence)
      FROM %I GROUP BY environment_id, sequence / 128', part.name);
  END LOOP;
END $$;