CREATE TABLE "log_lines" (
	"stream" text NOT NULL,
	"sequence" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"version" text,
	"message" text NOT NULL,
	CONSTRAINT "log_lines_stream_sequence_pk" PRIMARY KEY("stream","sequence")
);
--> statement-breakpoint
CREATE TABLE "log_streams" (
	"stream" text PRIMARY KEY NOT NULL,
	"line_count" integer DEFAULT 0 NOT NULL
);
