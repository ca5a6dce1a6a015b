ALTER TABLE `completions` ADD `model_name` text;--> statement-breakpoint
CREATE INDEX `completions_model_name` ON `completions` (`model_name`);--> statement-breakpoint
ALTER TABLE `models` ADD `source` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE `models` ADD `endpoint` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `project_id` text REFERENCES projects(id);--> statement-breakpoint
CREATE INDEX `runs_project` ON `runs` (`project_id`);--> statement-breakpoint
UPDATE `completions` SET `model_name` = (SELECT `name` FROM `models` WHERE `models`.`id` = `completions`.`model_id`) WHERE `model_id` IS NOT NULL;--> statement-breakpoint
UPDATE `runs` SET `project_id` = (SELECT `id` FROM `projects` WHERE `projects`.`name` = json_extract(`runs`.`config`, '$.project') OR `projects`.`id` = json_extract(`runs`.`config`, '$.project')) WHERE json_extract(`runs`.`config`, '$.project') IS NOT NULL;
