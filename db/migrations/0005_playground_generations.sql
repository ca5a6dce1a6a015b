CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`model_id` text NOT NULL,
	`prompt` text NOT NULL,
	`params` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`outputs` text,
	`error` text,
	`worker_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `generations_status` ON `generations` (`status`,`created_at`);