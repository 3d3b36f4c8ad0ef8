CREATE TABLE "release_events" (
	"release_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"message" text NOT NULL,
	"step_index" integer,
	"weight" integer,
	"ready_replicas" integer,
	CONSTRAINT "release_events_release_id_sequence_pk" PRIMARY KEY("release_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"environment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"image" text NOT NULL,
	"version" text NOT NULL,
	"strategy" text NOT NULL,
	"status" text NOT NULL,
	"status_message" text,
	"state" jsonb NOT NULL,
	"is_rollback" boolean DEFAULT false NOT NULL,
	"rollback_of" uuid,
	"previous_release_id" uuid,
	"previous_deployment" text,
	"previous_version" text,
	"previous_image" text,
	"deployment" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	"event_count" integer DEFAULT 0 NOT NULL,
	"row_version" integer DEFAULT 1 NOT NULL,
	"lease_owner" text,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"lease_expires_at" timestamp with time zone,
	CONSTRAINT "releases_environment_number_uq" UNIQUE("environment_id","number")
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "stable_release_id" uuid;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "stable_deployment" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "stable_version" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "stable_image" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "release_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "release_events" ADD CONSTRAINT "release_events_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "releases_one_active_per_environment" ON "releases" USING btree ("environment_id") WHERE finished_at is null;--> statement-breakpoint
CREATE INDEX "releases_unsettled_idx" ON "releases" USING btree ("settled_at");--> statement-breakpoint
CREATE INDEX "releases_environment_idx" ON "releases" USING btree ("environment_id","number");