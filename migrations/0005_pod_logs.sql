-- Substring search over log lines: trigram indexes (PGlite loads the extension when it opens).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "log_collections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"last_sequence" bigint DEFAULT 0 NOT NULL,
	"settled_at" timestamp with time zone,
	"lease_owner" text,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"lease_expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pod_log_lines" (
	"environment_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"pod" text NOT NULL,
	"version" text,
	"message" text NOT NULL,
	CONSTRAINT "pod_log_lines_environment_id_sequence_at_pk" PRIMARY KEY("environment_id","sequence","at")
) PARTITION BY RANGE ("at");
--> statement-breakpoint
CREATE TABLE "pod_log_positions" (
	"environment_id" uuid NOT NULL,
	"pod" text NOT NULL,
	"last_time" text NOT NULL,
	"last_count" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pod_log_positions_environment_id_pod_pk" PRIMARY KEY("environment_id","pod")
);
--> statement-breakpoint
ALTER TABLE "log_collections" ADD CONSTRAINT "log_collections_id_environments_id_fk" FOREIGN KEY ("id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pod_log_positions" ADD CONSTRAINT "pod_log_positions_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pod_log_lines_environment_at_idx" ON "pod_log_lines" USING btree ("environment_id","at");--> statement-breakpoint
CREATE INDEX "pod_log_lines_message_trgm_idx" ON "pod_log_lines" USING gin ("message" gin_trgm_ops);