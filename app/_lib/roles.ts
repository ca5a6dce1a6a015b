// Role names, their labels and the home page each role lands on (shared by server and client code).
export type AppRole = "admin" | "annotator" | "researcher";

export const ROLE_LABELS: Record<AppRole, string> = {
  admin: "Admin",
  annotator: "Annotator",
  researcher: "Researcher",
};

export const HOME_FOR_ROLE: Record<AppRole, string> = {
  admin: "/admin",
  annotator: "/annotate",
  researcher: "/research",
};

export function isRole(value: unknown): value is AppRole {
  return value === "admin" || value === "annotator" || value === "researcher";
}
