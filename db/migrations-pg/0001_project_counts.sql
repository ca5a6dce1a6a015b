CREATE TABLE "project_counts" (
	"project_id" text NOT NULL,
	"user_id" text DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "project_counts" ADD CONSTRAINT "project_counts_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "project_counts_key" ON "project_counts" USING btree ("project_id","user_id","kind");