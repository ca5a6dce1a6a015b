// Projects: guidelines, K completions per prompt, overlap N, ties, the flag set and the Likert scale.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/index";
import { projects, tasks } from "../../db/schema";
import { OPEN_TASK_KINDS } from "./stats";
import { writeAudit, type DbOrTx } from "./audit";
import { badRequest, conflict, notFound } from "./errors";
import { unprintableReason } from "./text-limits";
import { DEFAULT_PROJECT_SETTINGS, type ProjectSettings } from "./project-settings";

export { DEFAULT_PROJECT_SETTINGS, type ProjectSettings };

export type Project = typeof projects.$inferSelect;

export async function getProject(db: DbOrTx, id: string): Promise<Project> {
  const project = (await db.select().from(projects).where(eq(projects.id, id)))[0];
  if (!project) throw notFound("No such project.");
  return project;
}

export async function findProjectByName(db: DbOrTx, name: string): Promise<Project | undefined> {
  return (await db.select().from(projects).where(eq(projects.name, name.trim())))[0];
}

/** All projects with their prompt count and how many tasks still need responses. */
export async function listProjects(db: Db) {
  return await db
    .select({
      id: projects.id,
      name: projects.name,
      guidelines: projects.guidelines,
      k: projects.k,
      overlap: projects.overlap,
      allowTies: projects.allowTies,
      flags: projects.flags,
      likertScale: projects.likertScale,
      goldRate: projects.goldRate,
      reviewBelow: projects.reviewBelow,
      selection: projects.selection,
      requireRationale: projects.requireRationale,
      createdAt: projects.createdAt,
      promptCount: sql<number>`(select count(*) from prompts p where p.project_id = "projects"."id")`,
      // Qualified by hand: drizzle renders ${projects.id} as a bare "id", which the subquery would read as its own column.
      openTasks: sql<number>`(select count(*) from tasks t where t.kind in ${OPEN_TASK_KINDS} and t.project_id = "projects"."id" and t.response_count < t.required_responses)`,
    })
    .from(projects)
    .orderBy(asc(projects.createdAt), asc(projects.name));
}

/** Every path that names a project goes through here, the CLI and seeds included, not only the web form. */
function assertPrintable(name: string, what: string): void {
  const reason = unprintableReason(name, what);
  if (reason) throw badRequest(reason);
}

export async function createProject(db: Db, input: Partial<ProjectSettings> & { name: string }, actorId: string | null): Promise<Project> {
  const name = input.name.trim();
  assertPrintable(name, "Project name");
  if (await findProjectByName(db, name)) throw conflict(`A project named '${name}' already exists.`);
  return await db.transaction(async (tx) => {
    const project = (await tx
      .insert(projects)
      .values({ ...DEFAULT_PROJECT_SETTINGS, ...input, name, createdBy: actorId })
      .returning())[0];
    await writeAudit(tx, { userId: actorId, action: "project.create", entity: "project", entityId: project.id, detail: { name } });
    return project;
  });
}

/**
 * Updates settings. A new overlap N applies to the project's existing tasks too, so the queue follows the
 * setting at once (a task that already has N responses simply stops being handed out).
 */
export async function updateProject(db: Db, input: Partial<ProjectSettings> & { id: string }, actorId: string | null): Promise<Project> {
  const { id, ...changes } = input;
  if (changes.name !== undefined) {
    changes.name = changes.name.trim();
    assertPrintable(changes.name, "Project name");
    const other = await findProjectByName(db, changes.name);
    if (other && other.id !== id) throw conflict(`A project named '${changes.name}' already exists.`);
  }
  return await db.transaction(async (tx) => {
    await getProject(tx, id);
    if (Object.keys(changes).length === 0) return await getProject(tx, id);
    const project = (await tx.update(projects).set(changes).where(eq(projects.id, id)).returning())[0];
    // Gold tasks keep theirs: every annotator answers each gold item once, whatever the overlap.
    if (changes.overlap !== undefined) await tx.update(tasks).set({ requiredResponses: changes.overlap }).where(and(eq(tasks.projectId, id), eq(tasks.gold, false)));
    // Back to `random` means back to creation order: a scoring run's priorities no longer apply.
    if (changes.selection === "random") await tx.update(tasks).set({ priority: 0 }).where(eq(tasks.projectId, id));
    await writeAudit(tx, { userId: actorId, action: "project.update", entity: "project", entityId: id, detail: changes as Record<string, unknown> });
    return project;
  });
}
