-- Keeps project_counts (migration 0008) exact on every write, whichever service or cascade makes it, then fills it from
-- the rows already there. Increments upsert; decrements only update, since a delete may come from a project's own
-- cascade, where a row inserted for the vanishing project would break its foreign key.
--
-- Deletes by cascade: SQLite removes a parent row before it deletes the rows that point at it, so a ranking deleted
-- with its prompt no longer finds the prompt's project. The parent's BEFORE DELETE trigger therefore takes off what
-- its children counted (a prompt: its rankings and submitted demonstrations; a task: its submitted assignments), and
-- the children's own delete triggers count only direct deletes (an import's take-back), where the parent is still there.
-- Tasks and prompts never move between projects, so only the counted columns are followed on update.
CREATE TRIGGER `project_counts_prompt_insert` AFTER INSERT ON `prompts` BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) VALUES (new.project_id, '', 'prompts', 1)
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_prompt_delete` BEFORE DELETE ON `prompts` BEGIN
  UPDATE project_counts SET n = n - 1 WHERE project_id = old.project_id AND user_id = '' AND kind = 'prompts';
  UPDATE project_counts SET n = n - (SELECT count(*) FROM rankings r WHERE r.prompt_id = old.id)
    WHERE project_id = old.project_id AND user_id = '' AND kind = 'rankings';
  UPDATE project_counts SET n = n - (SELECT count(*) FROM demonstrations d WHERE d.prompt_id = old.id AND d.status = 'submitted')
    WHERE project_id = old.project_id AND user_id = '' AND kind = 'demonstrations';
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_task_insert` AFTER INSERT ON `tasks` WHEN new.response_count <> 0 BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) VALUES (new.project_id, '', 'responses', new.response_count)
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_task_count` AFTER UPDATE OF response_count ON `tasks` WHEN new.response_count <> old.response_count BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) VALUES (new.project_id, '', 'responses', new.response_count - old.response_count)
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_task_delete` BEFORE DELETE ON `tasks` BEGIN
  UPDATE project_counts SET n = n - old.response_count WHERE project_id = old.project_id AND user_id = '' AND kind = 'responses';
  UPDATE project_counts
    SET n = n - (SELECT count(*) FROM assignments a WHERE a.task_id = old.id AND a.user_id = project_counts.user_id AND a.status = 'submitted')
    WHERE project_id = old.project_id AND kind = 'submitted'
      AND user_id IN (SELECT a.user_id FROM assignments a WHERE a.task_id = old.id AND a.status = 'submitted');
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_assignment_insert` AFTER INSERT ON `assignments` WHEN new.status = 'submitted' BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT t.project_id, new.user_id, 'submitted', 1 FROM tasks t WHERE t.id = new.task_id
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_assignment_update` AFTER UPDATE OF status, task_id, user_id ON `assignments`
  WHEN old.status = 'submitted' OR new.status = 'submitted' BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE old.status = 'submitted' AND kind = 'submitted' AND user_id = old.user_id
      AND project_id = (SELECT t.project_id FROM tasks t WHERE t.id = old.task_id);
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT t.project_id, new.user_id, 'submitted', 1 FROM tasks t
    WHERE t.id = new.task_id AND new.status = 'submitted'
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_assignment_delete` AFTER DELETE ON `assignments` WHEN old.status = 'submitted' BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE kind = 'submitted' AND user_id = old.user_id AND project_id = (SELECT t.project_id FROM tasks t WHERE t.id = old.task_id);
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_demonstration_insert` AFTER INSERT ON `demonstrations` WHEN new.status = 'submitted' BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT p.project_id, '', 'demonstrations', 1 FROM prompts p WHERE p.id = new.prompt_id
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_demonstration_update` AFTER UPDATE OF status, prompt_id ON `demonstrations`
  WHEN old.status = 'submitted' OR new.status = 'submitted' BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE old.status = 'submitted' AND kind = 'demonstrations' AND user_id = ''
      AND project_id = (SELECT p.project_id FROM prompts p WHERE p.id = old.prompt_id);
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT p.project_id, '', 'demonstrations', 1 FROM prompts p
    WHERE p.id = new.prompt_id AND new.status = 'submitted'
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_demonstration_delete` AFTER DELETE ON `demonstrations` WHEN old.status = 'submitted' BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE kind = 'demonstrations' AND user_id = '' AND project_id = (SELECT p.project_id FROM prompts p WHERE p.id = old.prompt_id);
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_ranking_insert` AFTER INSERT ON `rankings` BEGIN
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT p.project_id, '', 'rankings', 1 FROM prompts p WHERE p.id = new.prompt_id
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_ranking_update` AFTER UPDATE OF prompt_id ON `rankings` BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE kind = 'rankings' AND user_id = '' AND project_id = (SELECT p.project_id FROM prompts p WHERE p.id = old.prompt_id);
  INSERT INTO project_counts (project_id, user_id, kind, n) SELECT p.project_id, '', 'rankings', 1 FROM prompts p WHERE p.id = new.prompt_id
    ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
CREATE TRIGGER `project_counts_ranking_delete` AFTER DELETE ON `rankings` BEGIN
  UPDATE project_counts SET n = n - 1
    WHERE kind = 'rankings' AND user_id = '' AND project_id = (SELECT p.project_id FROM prompts p WHERE p.id = old.prompt_id);
END;
--> statement-breakpoint
-- The counts of the data already there, as stats.ts counted them before this migration.
INSERT INTO project_counts (project_id, user_id, kind, n)
  SELECT project_id, '', 'prompts', count(*) FROM prompts GROUP BY project_id
  UNION ALL
  SELECT project_id, '', 'responses', sum(response_count) FROM tasks GROUP BY project_id
  UNION ALL
  SELECT t.project_id, a.user_id, 'submitted', count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id
    WHERE a.status = 'submitted' GROUP BY t.project_id, a.user_id
  UNION ALL
  SELECT p.project_id, '', 'demonstrations', count(*) FROM demonstrations d JOIN prompts p ON p.id = d.prompt_id
    WHERE d.status = 'submitted' GROUP BY p.project_id
  UNION ALL
  SELECT p.project_id, '', 'rankings', count(*) FROM rankings r JOIN prompts p ON p.id = r.prompt_id GROUP BY p.project_id;
