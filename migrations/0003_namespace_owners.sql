CREATE TABLE "namespace_owners" (
	"cluster" text NOT NULL,
	"namespace" text NOT NULL,
	"project_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "namespace_owners_pk" PRIMARY KEY("cluster","namespace")
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "revision_history_limit" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "namespace_owners" ADD CONSTRAINT "namespace_owners_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "namespace_owners_project_idx" ON "namespace_owners" USING btree ("project_id");--> statement-breakpoint
-- Backfill: every namespace existing environments use is owned by the project of its oldest
-- environment there. Namespaces already shared by several projects keep working for all of
-- them (their environments are untouched), but only that first project may add new ones.
INSERT INTO "namespace_owners" ("cluster", "namespace", "project_id", "created_at")
SELECT DISTINCT ON (e."cluster", e."namespace") e."cluster", e."namespace", a."project_id", e."created_at"
FROM "environments" e JOIN "apps" a ON a."id" = e."app_id"
ORDER BY e."cluster", e."namespace", e."created_at", e."id"
ON CONFLICT DO NOTHING;
