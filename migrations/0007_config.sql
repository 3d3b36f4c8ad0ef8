CREATE TABLE "config_revisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"environment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"variables" jsonb NOT NULL,
	"files" jsonb NOT NULL,
	"secrets" jsonb NOT NULL,
	"message" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "config_revisions_environment_number_uq" UNIQUE("environment_id","number")
);
--> statement-breakpoint
CREATE TABLE "cron_job_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"cron_job_id" uuid NOT NULL,
	"job_name" text NOT NULL,
	"status" text NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"log_lines_copied" integer DEFAULT 0 NOT NULL,
	"settled_at" timestamp with time zone,
	"lease_owner" text,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"lease_expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cron_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"environment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"schedule" text NOT NULL,
	"time_zone" text NOT NULL,
	"command" jsonb NOT NULL,
	"image" text,
	"suspended" boolean DEFAULT false NOT NULL,
	"concurrency_policy" text NOT NULL,
	"last_schedule_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"settled_at" timestamp with time zone,
	"lease_owner" text,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"lease_expires_at" timestamp with time zone,
	CONSTRAINT "cron_jobs_environment_name_uq" UNIQUE("environment_id","name")
);
--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "config_revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "previous_config_revision" integer;--> statement-breakpoint
ALTER TABLE "config_revisions" ADD CONSTRAINT "config_revisions_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_revisions" ADD CONSTRAINT "config_revisions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cron_job_runs" ADD CONSTRAINT "cron_job_runs_cron_job_id_cron_jobs_id_fk" FOREIGN KEY ("cron_job_id") REFERENCES "public"."cron_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cron_jobs" ADD CONSTRAINT "cron_jobs_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cron_job_runs_job_idx" ON "cron_job_runs" USING btree ("cron_job_id","started_at");--> statement-breakpoint
CREATE INDEX "cron_job_runs_unsettled_idx" ON "cron_job_runs" USING btree ("settled_at");--> statement-breakpoint
-- Every environment starts at config revision 1, empty: those from before config revisions too (what their releases ran with).
INSERT INTO "config_revisions" ("id", "environment_id", "number", "variables", "files", "secrets", "created_at")
SELECT gen_random_uuid(), "id", 1, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb, "created_at" FROM "environments";
