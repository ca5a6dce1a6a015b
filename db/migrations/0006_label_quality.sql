CREATE TABLE `gold_items` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`prompt_id` text NOT NULL,
	`ordering` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`prompt_id`) REFERENCES `prompts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gold_items_prompt_id_unique` ON `gold_items` (`prompt_id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`prompt_id` text NOT NULL,
	`item_key` text NOT NULL,
	`reason` text NOT NULL,
	`agreement` real,
	`annotators` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`ordering` text,
	`note` text,
	`reviewer_id` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`prompt_id`) REFERENCES `prompts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_item` ON `reviews` (`prompt_id`,`item_key`);--> statement-breakpoint
CREATE INDEX `reviews_project_status` ON `reviews` (`project_id`,`status`);--> statement-breakpoint
DROP INDEX `tasks_open`;--> statement-breakpoint
ALTER TABLE `tasks` ADD `gold` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `priority` real DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_gold` ON `tasks` (`project_id`,`kind`) WHERE "tasks"."gold" = 1;--> statement-breakpoint
CREATE INDEX `tasks_open` ON `tasks` (`kind`,`project_id`,`priority`) WHERE "tasks"."response_count" < "tasks"."required_responses";--> statement-breakpoint
ALTER TABLE `projects` ADD `gold_rate` real DEFAULT 0.1 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `review_below` real DEFAULT 0.5 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `selection` text DEFAULT 'random' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `require_rationale` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `rankings` ADD `rationale` text;--> statement-breakpoint
CREATE INDEX `rankings_user` ON `rankings` (`user_id`);