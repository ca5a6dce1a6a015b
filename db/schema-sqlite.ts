// The one drizzle schema, declared for SQLite: annotation data (Argilla/Open Assistant shapes), the model registry, runs
// and the audit log. db/schema-pg.ts derives the PostgreSQL form; services import the tables through db/schema.ts.
// Ids are short random strings so the schema stays portable to PostgreSQL and ids never leak row counts.
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { newId } from "./ids";

const id = () => text("id").primaryKey().$defaultFn(newId);
const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date());

/** `reviewer`: adjudicates items whose annotators disagree or failed a gold check (admins may too). */
export const ROLES = ["admin", "annotator", "researcher", "reviewer"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

export const projects = sqliteTable("projects", {
  id: id(),
  name: text("name").notNull().unique(),
  guidelines: text("guidelines").notNull().default(""),
  /** Completions shown per ranking task. */
  k: integer("k").notNull().default(4),
  /** Annotators per item (overlap N). */
  overlap: integer("overlap").notNull().default(1),
  allowTies: integer("allow_ties", { mode: "boolean" }).notNull().default(false),
  /** Per-completion flags annotators may set, e.g. ["harmful","untruthful","off-topic"]. */
  flags: text("flags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  /** Likert scale size (e.g. 5 or 7); 0 turns ratings off. */
  likertScale: integer("likert_scale").notNull().default(7),
  /** Share of served ranking tasks that are gold items (0..0.5). */
  goldRate: real("gold_rate").notNull().default(0.1),
  /** Items whose pairwise agreement is at or below this go to review. */
  reviewBelow: real("review_below").notNull().default(0.5),
  /** How prompts are picked for new tasks (see server/services/project-settings.ts SELECTION_STRATEGIES). */
  selection: text("selection").notNull().default("random"),
  /** Ask for a one-line reason with each ranking. */
  requireRationale: integer("require_rationale", { mode: "boolean" }).notNull().default(false),
  createdBy: text("created_by").references(() => users.id),
  createdAt: createdAt(),
});

export const SPLITS = ["train", "test"] as const;
export const prompts = sqliteTable(
  "prompts",
  {
    id: id(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    /** Chat form: a list of {role, content}; `text` then holds the last user turn. */
    messages: text("messages", { mode: "json" }).$type<{ role: string; content: string }[] | null>(),
    source: text("source").notNull().default("import"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    split: text("split", { enum: SPLITS }).notNull().default("train"),
    externalId: text("external_id"),
    /** sha256 of the text: a re-import without external ids does not duplicate prompts. */
    textHash: text("text_hash").notNull(),
    /** The file import that wrote it, so an import that dies half-way can be taken back (see `imports`). */
    importId: text("import_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("prompts_project_external").on(t.projectId, t.externalId),
    uniqueIndex("prompts_project_hash").on(t.projectId, t.textHash),
    index("prompts_project_split").on(t.projectId, t.split),
    // A project's prompts in insertion order (the prompt list pages by it): without it every page sorts them all.
    index("prompts_project").on(t.projectId),
    index("prompts_import").on(t.importId),
  ],
);

export const IMPORT_STATUSES = ["writing", "opening_tasks", "succeeded", "failed"] as const;
/**
 * A prompt file import, written in short batches so no web request waits on it. `writing`: prompts go in (invisible
 * to annotators, who see tasks only); `opening_tasks`: every prompt is in and their tasks open; then `succeeded`.
 * An import whose process died while `writing` is taken back whole; one that died while opening tasks is finished.
 */
/** What a file import brings in. */
export const IMPORT_KINDS = ["prompts", "demonstrations", "rankings"] as const;
export const imports = sqliteTable("imports", {
  id: id(),
  kind: text("kind", { enum: IMPORT_KINDS }).notNull().default("prompts"),
  projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
  status: text("status", { enum: IMPORT_STATUSES }).notNull().default("writing"),
  totalRows: integer("total_rows").notNull(),
  /** Rows written so far while `writing`; tasks opened so far while `opening_tasks`. */
  doneRows: integer("done_rows").notNull().default(0),
  importedRows: integer("imported_rows").notNull().default(0),
  duplicateRows: integer("duplicate_rows").notNull().default(0),
  /** The file's bad lines, {line, message}, found before anything was written. */
  lineErrors: text("line_errors", { mode: "json" }).$type<{ line: number; message: string }[]>().notNull().default(sql`'[]'`),
  createdBy: text("created_by"),
  createdAt: createdAt(),
  /** Renewed every batch: an import whose heartbeat stopped belongs to a process that died. */
  heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }).notNull(),
  finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  error: text("error"),
});

export const MODEL_KINDS = ["policy", "reward"] as const;
/** `local`: a checkpoint directory of ours; `endpoint`: a policy served behind an OpenAI-compatible API. */
export const MODEL_SOURCES = ["local", "endpoint"] as const;
/** How to reach an endpoint model. The API key is never stored: only the name of the environment variable holding it. */
export type ModelEndpoint = { baseUrl: string; model: string; apiKeyEnv?: string; api: "chat" | "completions" };
export const models = sqliteTable("models", {
  id: id(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: MODEL_KINDS }).notNull(),
  source: text("source", { enum: MODEL_SOURCES }).notNull().default("local"),
  /** Set when `source` is `endpoint`; `path` is then empty. */
  endpoint: text("endpoint", { mode: "json" }).$type<ModelEndpoint | null>(),
  parentId: text("parent_id"),
  runId: text("run_id"),
  /** Checkpoint directory, relative to RLHF_HOME when not absolute. */
  path: text("path").notNull(),
  tokenizer: text("tokenizer").notNull(),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  createdAt: createdAt(),
});

export const COMPLETION_ORIGINS = ["model", "human", "import"] as const;
export const completions = sqliteTable(
  "completions",
  {
    id: id(),
    promptId: text("prompt_id").notNull().references(() => prompts.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    origin: text("origin", { enum: COMPLETION_ORIGINS }).notNull(),
    modelId: text("model_id").references(() => models.id),
    /**
     * The name of the model that wrote it: a registered model's name, or an external name from an imported file
     * (a model this registry does not hold). Win rates group completions by it.
     */
    modelName: text("model_name"),
    samplingParams: text("sampling_params", { mode: "json" }).$type<Record<string, unknown> | null>(),
    logprobSum: real("logprob_sum"),
    /** The file import that wrote it (see `imports`), so an import that dies half-way can be taken back. */
    importId: text("import_id"),
    createdAt: createdAt(),
  },
  (t) => [index("completions_prompt").on(t.promptId), index("completions_import").on(t.importId), index("completions_model_name").on(t.modelName)],
);

export const TASK_KINDS = ["demonstrate", "rank"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const tasks = sqliteTable(
  "tasks",
  {
    id: id(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: TASK_KINDS }).notNull(),
    promptId: text("prompt_id").notNull().references(() => prompts.id, { onDelete: "cascade" }),
    /** Rank tasks: the completion ids shown (canonical order; each annotator sees a shuffle). */
    completionIds: text("completion_ids", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    requiredResponses: integer("required_responses").notNull().default(1),
    /** A gold item's task: every annotator may answer it once, served at the project's gold rate. */
    gold: integer("gold", { mode: "boolean" }).notNull().default(false),
    /** Submitted responses so far; kept in the same transaction as the submit. */
    responseCount: integer("response_count").notNull().default(0),
    /**
     * Serving order within a project: lower first, then creation order. 0 unless a scoring run ranked the task
     * (server/services/selection.ts: scored tasks get −1..0, the most uncertain or most disputed lowest).
     */
    priority: real("priority").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index("tasks_project_kind").on(t.projectId, t.kind, t.responseCount),
    // Only tasks that still need responses, kind first (the queue always asks for one kind): tasks.next
    // walks these in rowid (creation) order without stepping over every finished task.
    index("tasks_open").on(t.kind, t.projectId, t.priority).where(sql`${t.responseCount} < ${t.requiredResponses}`),
    // Gold tasks are few and always open: the queue finds them here instead of walking every open task.
    index("tasks_gold").on(t.projectId, t.kind).where(sql`${t.gold} = 1`),
  ],
);

export const ASSIGNMENT_STATUSES = ["active", "submitted", "skipped", "expired"] as const;
export const assignments = sqliteTable(
  "assignments",
  {
    id: id(),
    taskId: text("task_id").notNull().references(() => tasks.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id),
    status: text("status", { enum: ASSIGNMENT_STATUSES }).notNull().default("active"),
    leaseExpiresAt: integer("lease_expires_at", { mode: "timestamp_ms" }).notNull(),
    skipReason: text("skip_reason"),
    /** Rank tasks: the shuffled order this annotator sees. */
    displayOrder: text("display_order", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("assignments_task_user").on(t.taskId, t.userId),
    index("assignments_user_status").on(t.userId, t.status),
    index("assignments_task_status").on(t.taskId, t.status),
  ],
);

export const DEMONSTRATION_STATUSES = ["draft", "submitted"] as const;
export const demonstrations = sqliteTable(
  "demonstrations",
  {
    id: id(),
    promptId: text("prompt_id").notNull().references(() => prompts.id, { onDelete: "cascade" }),
    userId: text("user_id").references(() => users.id),
    /** Null for imported demonstrations. */
    assignmentId: text("assignment_id").references(() => assignments.id),
    text: text("text").notNull(),
    status: text("status", { enum: DEMONSTRATION_STATUSES }).notNull().default("draft"),
    timeMs: integer("time_ms").notNull().default(0),
    /** The file import that wrote it (see `imports`), so an import that dies half-way can be taken back. */
    importId: text("import_id"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  },
  (t) => [uniqueIndex("demonstrations_assignment").on(t.assignmentId), index("demonstrations_prompt").on(t.promptId), index("demonstrations_import").on(t.importId)],
);

export const rankings = sqliteTable(
  "rankings",
  {
    id: id(),
    /** Null for imported rankings. */
    assignmentId: text("assignment_id").references(() => assignments.id),
    userId: text("user_id").references(() => users.id),
    promptId: text("prompt_id").notNull().references(() => prompts.id, { onDelete: "cascade" }),
    /** Best → worst; each group is a tie. Stored raw; pairs are derived. */
    ordering: text("ordering", { mode: "json" }).$type<string[][]>().notNull(),
    notRankable: integer("not_rankable", { mode: "boolean" }).notNull().default(false),
    notRankableReason: text("not_rankable_reason"),
    /** completion id → flags set. */
    flags: text("flags", { mode: "json" }).$type<Record<string, string[]>>().notNull().default(sql`'{}'`),
    /** completion id → Likert rating. */
    ratings: text("ratings", { mode: "json" }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    timeMs: integer("time_ms").notNull().default(0),
    /** The one-line reason the annotator gave (projects with `require_rationale`). */
    rationale: text("rationale"),
    source: text("source").notNull().default("annotator"),
    /** The file import that wrote it (see `imports`), so an import that dies half-way can be taken back. */
    importId: text("import_id"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("rankings_assignment").on(t.assignmentId),
    index("rankings_prompt").on(t.promptId),
    index("rankings_import").on(t.importId),
    index("rankings_user").on(t.userId),
  ],
);

/** A prompt with a known ranking: annotators' rankings of it are scored against it (gold accuracy). */
export const goldItems = sqliteTable("gold_items", {
  id: id(),
  projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
  promptId: text("prompt_id").notNull().unique().references(() => prompts.id, { onDelete: "cascade" }),
  /** The known ranking: groups of completion ids, best first. */
  ordering: text("ordering", { mode: "json" }).$type<string[][]>().notNull(),
  createdBy: text("created_by"),
  createdAt: createdAt(),
});

export const REVIEW_REASONS = ["disagreement", "gold"] as const;
export const REVIEW_STATUSES = ["open", "resolved", "sent_back"] as const;
/**
 * An item (a prompt with one set of completions) sent to review. Once resolved, its adjudicated ranking is what
 * exports use for that item instead of the annotators' rankings.
 */
export const reviews = sqliteTable(
  "reviews",
  {
    id: id(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    promptId: text("prompt_id").notNull().references(() => prompts.id, { onDelete: "cascade" }),
    /** The item's completion ids, sorted and comma-joined. */
    itemKey: text("item_key").notNull(),
    reason: text("reason", { enum: REVIEW_REASONS }).notNull(),
    agreement: real("agreement"),
    /** Annotators of the item when it was queued or sent back: more than this later means new rankings came in. */
    annotators: integer("annotators").notNull().default(0),
    status: text("status", { enum: REVIEW_STATUSES }).notNull().default("open"),
    /** The adjudicated ranking (groups of completion ids, best first), once resolved. */
    ordering: text("ordering", { mode: "json" }).$type<string[][] | null>(),
    note: text("note"),
    reviewerId: text("reviewer_id").references(() => users.id),
    createdAt: createdAt(),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("reviews_item").on(t.promptId, t.itemKey), index("reviews_project_status").on(t.projectId, t.status)],
);

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const runs = sqliteTable(
  "runs",
  {
    id: id(),
    /** One of the run kinds declared in server/services/run-kinds (free text here, so a new kind needs no migration). */
    kind: text("kind").notNull(),
    name: text("name"),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    /** The project whose data the run reads and whose tasks it opens; null for runs made before runs had one. */
    projectId: text("project_id").references(() => projects.id),
    baseModelId: text("base_model_id").references(() => models.id),
    rewardModelId: text("reward_model_id").references(() => models.id),
    workerId: text("worker_id"),
    leaseExpiresAt: integer("lease_expires_at", { mode: "timestamp_ms" }),
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
    /** 0..1 */
    progress: real("progress").notNull().default(0),
    error: text("error"),
    outputModelId: text("output_model_id").references(() => models.id),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("runs_status").on(t.status, t.createdAt), index("runs_project").on(t.projectId)],
);

export const runMetrics = sqliteTable(
  "run_metrics",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    step: integer("step").notNull(),
    name: text("name").notNull(),
    value: real("value").notNull(),
  },
  (t) => [index("run_metrics_run_name_step").on(t.runId, t.name, t.step)],
);

export const runLogs = sqliteTable(
  "run_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
    level: text("level", { enum: ["info", "warn", "error"] }).notNull().default("info"),
    message: text("message").notNull(),
  },
  (t) => [index("run_logs_run").on(t.runId, t.id)],
);

/** What an API token may do: today the HTTP export only. */
/**
 * Playground generations: a short sampling request from the browser. The web process never loads TensorFlow.js, so
 * the worker answers requests for our models; endpoint models are answered by the web process off the request path.
 */
export const GENERATION_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export const generations = sqliteTable(
  "generations",
  {
    id: id(),
    modelId: text("model_id").notNull().references(() => models.id, { onDelete: "cascade" }),
    prompt: text("prompt").notNull(),
    /** {n, temperature, top_p, max_new_tokens, seed} */
    params: text("params", { mode: "json" }).$type<Record<string, number>>().notNull(),
    status: text("status", { enum: GENERATION_STATUSES }).notNull().default("queued"),
    outputs: text("outputs", { mode: "json" }).$type<string[] | null>(),
    error: text("error"),
    workerId: text("worker_id"),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("generations_status").on(t.status, t.createdAt)],
);

export const EXPORT_JOB_STATUSES = ["running", "succeeded", "failed", "cancelled"] as const;
/**
 * An export written in the background for the web page (server/services/export-job.ts): the file goes to the data
 * folder under a staging name and is renamed when whole; the page polls the row and downloads the file when it is.
 */
export const exportJobs = sqliteTable(
  "export_jobs",
  {
    id: id(),
    /** One of the export formats (server/services/export-formats.ts). */
    format: text("format").notNull(),
    /** The filters as the user gave them (names, not ids), kept to show what the file holds. */
    filter: text("filter", { mode: "json" }).$type<Record<string, string | boolean>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: EXPORT_JOB_STATUSES }).notNull().default("running"),
    records: integer("records").notNull().default(0),
    bytes: integer("bytes").notNull().default(0),
    /** Source rows (rankings or demonstrations) read so far, and how many there are: the progress bar. */
    doneItems: integer("done_items").notNull().default(0),
    totalItems: integer("total_items").notNull().default(0),
    error: text("error"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    /** Renewed with every chunk: a running job whose heartbeat stopped belongs to a process that died. */
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("export_jobs_user_created").on(t.createdBy, t.createdAt), index("export_jobs_status_finished").on(t.status, t.finishedAt)],
);

export const TOKEN_SCOPES = ["export"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export const apiTokens = sqliteTable("api_tokens", {
  id: id(),
  userId: text("user_id").notNull().references(() => users.id),
  name: text("name").notNull(),
  /** sha256 of the token; the token itself is shown once. */
  tokenHash: text("token_hash").notNull().unique(),
  scope: text("scope", { enum: TOKEN_SCOPES }).notNull().default("export"),
  createdAt: createdAt(),
  lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  /** Null: never expires (tokens made before expiry existed). */
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
  revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
});

/**
 * Signed-in sessions: the session cookie (a JWT) names one of these rows, and a request is signed in only while its
 * row is live, so sign-out, a password reset, disabling a user or changing their role ends sessions at once.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: id(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id"),
    action: text("action").notNull(),
    entity: text("entity").notNull(),
    entityId: text("entity_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown> | null>(),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_created").on(t.createdAt)],
);

/** Sign-in attempts, for per-email and per-IP rate limiting that survives restarts and works across processes. */
export const signInAttempts = sqliteTable(
  "sign_in_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
  },
  (t) => [index("sign_in_attempts_key_at").on(t.key, t.at)],
);

/** What `project_counts` counts, per project (and per annotator for `submitted`). */
export const PROJECT_COUNT_KINDS = [
  "prompts", // prompts of the project
  "responses", // the sum of its tasks' response_count
  "submitted", // submitted assignments, per annotator (user_id)
  "demonstrations", // submitted demonstrations, imported ones included
  "rankings", // rankings, imported ones included
] as const;
export type ProjectCountKind = (typeof PROJECT_COUNT_KINDS)[number];

/**
 * Dashboard counts kept by database triggers (migrations 0008_project_counts), so the admin and research pages read a
 * few rows instead of every assignment and ranking. Every write path is covered without the services knowing: a
 * submit, an import, its take-back, a cascade. `user_id` is '' where a count is not per annotator (a unique key
 * with a null would never conflict, so upserts need a value). A unique index, not a composite primary key: the
 * PostgreSQL form is derived from columns and indexes, and ON CONFLICT works with either.
 */
export const projectCounts = sqliteTable(
  "project_counts",
  {
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().default(""),
    kind: text("kind", { enum: PROJECT_COUNT_KINDS }).notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [uniqueIndex("project_counts_key").on(t.projectId, t.userId, t.kind)],
);

/**
 * Tables listed "as imported" (prompt lists, imports, the task queue, the review queue's change check). SQLite keeps
 * insert order in its rowid; their PostgreSQL form gets an identity column `seq` for it (db/sql-fragments.ts).
 */
export const INSERT_ORDERED_TABLES = ["prompts", "completions", "tasks", "rankings"] as const;
