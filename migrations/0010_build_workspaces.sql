ALTER TABLE "builds" ADD COLUMN "workspace_host" text;--> statement-breakpoint
ALTER TABLE "builds" ADD COLUMN "workspace_dir" text;