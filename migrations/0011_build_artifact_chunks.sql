CREATE TABLE "build_artifact_chunks" (
	"build_id" uuid NOT NULL,
	"name" text NOT NULL,
	"chunk" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "build_artifact_chunks_build_id_name_chunk_pk" PRIMARY KEY("build_id","name","chunk")
);
--> statement-breakpoint
ALTER TABLE "build_artifact_chunks" ADD CONSTRAINT "build_artifact_chunks_build_id_builds_id_fk" FOREIGN KEY ("build_id") REFERENCES "public"."builds"("id") ON DELETE cascade ON UPDATE no action;