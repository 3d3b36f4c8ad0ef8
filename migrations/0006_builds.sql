CREATE TABLE "build_events" (
	"build_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"stage" text,
	"message" text NOT NULL,
	CONSTRAINT "build_events_build_id_sequence_pk" PRIMARY KEY("build_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "build_prepare_claims" (
	"image" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "build_settings" (
	"app_id" uuid PRIMARY KEY NOT NULL,
	"spec" text,
	"webhook_secret_hash" text,
	"build_count" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "builds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"status_message" text,
	"trigger" text NOT NULL,
	"requested_ref" text,
	"ref" text NOT NULL,
	"commit" text,
	"spec" text NOT NULL,
	"variables" jsonb NOT NULL,
	"stages" jsonb NOT NULL,
	"artifacts" jsonb NOT NULL,
	"push_sha" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"event_count" integer DEFAULT 0 NOT NULL,
	"settled_at" timestamp with time zone,
	"lease_owner" text,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"lease_expires_at" timestamp with time zone,
	CONSTRAINT "builds_app_number_uq" UNIQUE("app_id","number")
);
--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "build_id" uuid;--> statement-breakpoint
ALTER TABLE "build_events" ADD CONSTRAINT "build_events_build_id_builds_id_fk" FOREIGN KEY ("build_id") REFERENCES "public"."builds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "build_settings" ADD CONSTRAINT "build_settings_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "builds" ADD CONSTRAINT "builds_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "builds" ADD CONSTRAINT "builds_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "builds_app_push_sha_uq" ON "builds" USING btree ("app_id","push_sha") WHERE push_sha is not null;--> statement-breakpoint
CREATE INDEX "builds_unsettled_idx" ON "builds" USING btree ("settled_at","created_at");