CREATE TABLE "app_metrics_endpoints" (
	"app_id" uuid PRIMARY KEY NOT NULL,
	"port" integer NOT NULL,
	"path" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "app_metrics_endpoints" ADD CONSTRAINT "app_metrics_endpoints_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;