CREATE TABLE `export_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`format` text NOT NULL,
	`filter` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`done_items` integer DEFAULT 0 NOT NULL,
	`total_items` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `export_jobs_user_created` ON `export_jobs` (`created_by`,`created_at`);--> statement-breakpoint
CREATE INDEX `export_jobs_status_finished` ON `export_jobs` (`status`,`finished_at`);--> statement-breakpoint
CREATE INDEX `prompts_project` ON `prompts` (`project_id`);