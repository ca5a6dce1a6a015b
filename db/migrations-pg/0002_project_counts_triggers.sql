-- Keeps project_counts (migration 0001) exact on every write, whichever service or cascade makes it, then fills it from
-- the rows already there. Increments upsert; decrements only update, since a delete may come from a project's own
-- cascade, where a row inserted for the vanishing project would break its foreign key.
--
-- Deletes by cascade: PostgreSQL deletes the rows that point at a parent after the parent row is gone, so a ranking
-- deleted with its prompt no longer finds the prompt's project. The parent's BEFORE DELETE trigger therefore takes off
-- what its children counted (a prompt: its rankings and submitted demonstrations; a task: its submitted assignments),
-- and the children's own delete triggers count only direct deletes (an import's take-back), where the parent is still
-- there. Tasks and prompts never move between projects, so only the counted columns are followed on update.
-- The triggers are made before the counts are filled: they lock the tables, so no write falls between the two.
CREATE FUNCTION project_counts_add(project text, usr text, what text, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF project IS NULL OR delta = 0 THEN
    RETURN;
  ELSIF delta > 0 THEN
    INSERT INTO project_counts (project_id, user_id, kind, n) VALUES (project, usr, what, delta)
      ON CONFLICT (project_id, user_id, kind) DO UPDATE SET n = project_counts.n + excluded.n;
  ELSE
    UPDATE project_counts SET n = n + delta WHERE project_id = project AND user_id = usr AND kind = what;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION project_counts_prompts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM project_counts_add(NEW.project_id, '', 'prompts', 1);
    RETURN NEW;
  END IF;
  PERFORM project_counts_add(OLD.project_id, '', 'prompts', -1);
  PERFORM project_counts_add(OLD.project_id, '', 'rankings', -(SELECT count(*) FROM rankings r WHERE r.prompt_id = OLD.id));
  PERFORM project_counts_add(OLD.project_id, '', 'demonstrations',
    -(SELECT count(*) FROM demonstrations d WHERE d.prompt_id = OLD.id AND d.status = 'submitted'));
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER project_counts_prompt_insert AFTER INSERT ON prompts FOR EACH ROW EXECUTE FUNCTION project_counts_prompts();
--> statement-breakpoint
CREATE TRIGGER project_counts_prompt_delete BEFORE DELETE ON prompts FOR EACH ROW EXECUTE FUNCTION project_counts_prompts();
--> statement-breakpoint
CREATE FUNCTION project_counts_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  submitted record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM project_counts_add(NEW.project_id, '', 'responses', NEW.response_count);
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM project_counts_add(NEW.project_id, '', 'responses', NEW.response_count - OLD.response_count);
    RETURN NEW;
  END IF;
  PERFORM project_counts_add(OLD.project_id, '', 'responses', -OLD.response_count);
  FOR submitted IN SELECT a.user_id, count(*) AS n FROM assignments a WHERE a.task_id = OLD.id AND a.status = 'submitted' GROUP BY a.user_id LOOP
    PERFORM project_counts_add(OLD.project_id, submitted.user_id, 'submitted', -submitted.n);
  END LOOP;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER project_counts_task_insert AFTER INSERT ON tasks FOR EACH ROW WHEN (NEW.response_count <> 0) EXECUTE FUNCTION project_counts_tasks();
--> statement-breakpoint
CREATE TRIGGER project_counts_task_count AFTER UPDATE OF response_count ON tasks
  FOR EACH ROW WHEN (NEW.response_count <> OLD.response_count) EXECUTE FUNCTION project_counts_tasks();
--> statement-breakpoint
CREATE TRIGGER project_counts_task_delete BEFORE DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION project_counts_tasks();
--> statement-breakpoint
CREATE FUNCTION project_counts_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'submitted' THEN
    PERFORM project_counts_add((SELECT t.project_id FROM tasks t WHERE t.id = OLD.task_id), OLD.user_id, 'submitted', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'submitted' THEN
    PERFORM project_counts_add((SELECT t.project_id FROM tasks t WHERE t.id = NEW.task_id), NEW.user_id, 'submitted', 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER project_counts_assignment_insert AFTER INSERT ON assignments
  FOR EACH ROW WHEN (NEW.status = 'submitted') EXECUTE FUNCTION project_counts_assignments();
--> statement-breakpoint
CREATE TRIGGER project_counts_assignment_update AFTER UPDATE OF status, task_id, user_id ON assignments
  FOR EACH ROW WHEN (OLD.status = 'submitted' OR NEW.status = 'submitted') EXECUTE FUNCTION project_counts_assignments();
--> statement-breakpoint
CREATE TRIGGER project_counts_assignment_delete AFTER DELETE ON assignments
  FOR EACH ROW WHEN (OLD.status = 'submitted') EXECUTE FUNCTION project_counts_assignments();
--> statement-breakpoint
CREATE FUNCTION project_counts_demonstrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'submitted' THEN
    PERFORM project_counts_add((SELECT p.project_id FROM prompts p WHERE p.id = OLD.prompt_id), '', 'demonstrations', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'submitted' THEN
    PERFORM project_counts_add((SELECT p.project_id FROM prompts p WHERE p.id = NEW.prompt_id), '', 'demonstrations', 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER project_counts_demonstration_insert AFTER INSERT ON demonstrations
  FOR EACH ROW WHEN (NEW.status = 'submitted') EXECUTE FUNCTION project_counts_demonstrations();
--> statement-breakpoint
CREATE TRIGGER project_counts_demonstration_update AFTER UPDATE OF status, prompt_id ON demonstrations
  FOR EACH ROW WHEN (OLD.status = 'submitted' OR NEW.status = 'submitted') EXECUTE FUNCTION project_counts_demonstrations();
--> statement-breakpoint
CREATE TRIGGER project_counts_demonstration_delete AFTER DELETE ON demonstrations
  FOR EACH ROW WHEN (OLD.status = 'submitted') EXECUTE FUNCTION project_counts_demonstrations();
--> statement-breakpoint
CREATE FUNCTION project_counts_rankings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM project_counts_add((SELECT p.project_id FROM prompts p WHERE p.id = OLD.prompt_id), '', 'rankings', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM project_counts_add((SELECT p.project_id FROM prompts p WHERE p.id = NEW.prompt_id), '', 'rankings', 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER project_counts_ranking_insert AFTER INSERT ON rankings FOR EACH ROW EXECUTE FUNCTION project_counts_rankings();
--> statement-breakpoint
CREATE TRIGGER project_counts_ranking_update AFTER UPDATE OF prompt_id ON rankings FOR EACH ROW EXECUTE FUNCTION project_counts_rankings();
--> statement-breakpoint
CREATE TRIGGER project_counts_ranking_delete AFTER DELETE ON rankings FOR EACH ROW EXECUTE FUNCTION project_counts_rankings();
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
