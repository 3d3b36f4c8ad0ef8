CREATE TABLE "vm_hosts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"environment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"revoked_at" timestamp with time zone,
	"desired_release_id" uuid,
	"last_seen_at" timestamp with time zone,
	"reported_version" text,
	"healthy" boolean DEFAULT false NOT NULL,
	"address" text,
	"message" text,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "vm_hosts_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "vm_pools" (
	"environment_id" uuid PRIMARY KEY NOT NULL,
	"frontend_port" integer NOT NULL,
	"cloud_weight" integer DEFAULT 0 NOT NULL,
	"applied_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "vm_hosts" ADD CONSTRAINT "vm_hosts_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vm_hosts" ADD CONSTRAINT "vm_hosts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vm_hosts" ADD CONSTRAINT "vm_hosts_desired_release_id_releases_id_fk" FOREIGN KEY ("desired_release_id") REFERENCES "public"."releases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vm_pools" ADD CONSTRAINT "vm_pools_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "vm_hosts_live_name_uq" ON "vm_hosts" USING btree ("environment_id","name") WHERE revoked_at is null;--> statement-breakpoint
CREATE INDEX "vm_hosts_environment_idx" ON "vm_hosts" USING btree ("environment_id");