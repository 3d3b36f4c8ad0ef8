CREATE TABLE "analysis_measurements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"release_id" uuid NOT NULL,
	"step_index" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"metric" text NOT NULL,
	"value" double precision,
	"threshold" double precision NOT NULL,
	"passed" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analysis_measurements" ADD CONSTRAINT "analysis_measurements_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analysis_measurements_release_idx" ON "analysis_measurements" USING btree ("release_id","at");