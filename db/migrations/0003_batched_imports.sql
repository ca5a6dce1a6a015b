CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'prompts' NOT NULL,
	`project_id` text NOT NULL,
	`status` text DEFAULT 'writing' NOT NULL,
	`total_rows` integer NOT NULL,
	`done_rows` integer DEFAULT 0 NOT NULL,
	`imported_rows` integer DEFAULT 0 NOT NULL,
	`duplicate_rows` integer DEFAULT 0 NOT NULL,
	`line_errors` text DEFAULT '[]' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`finished_at` integer,
	`error` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `completions` ADD `import_id` text;--> statement-breakpoint
CREATE INDEX `completions_import` ON `completions` (`import_id`);--> statement-breakpoint
ALTER TABLE `demonstrations` ADD `import_id` text;--> statement-breakpoint
CREATE INDEX `demonstrations_import` ON `demonstrations` (`import_id`);--> statement-breakpoint
ALTER TABLE `prompts` ADD `import_id` text;--> statement-breakpoint
CREATE INDEX `prompts_import` ON `prompts` (`import_id`);--> statement-breakpoint
ALTER TABLE `rankings` ADD `import_id` text;--> statement-breakpoint
CREATE INDEX `rankings_import` ON `rankings` (`import_id`);