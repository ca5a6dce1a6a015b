// Role names, their labels and the home page each role lands on (shared by server and client code).
export type AppRole = "admin" | "annotator" | "researcher" | "reviewer";

export const ROLE_LABELS: Record<AppRole, string> = {
  admin: "Admin",
  annotator: "Annotator",
  researcher: "Researcher",
  reviewer: "Reviewer",
};

export const HOME_FOR_ROLE: Record<AppRole, string> = {
  admin: "/admin",
  annotator: "/annotate",
  researcher: "/research",
  reviewer: "/review",
};

export function isRole(value: unknown): value is AppRole {
  return value === "admin" || value === "annotator" || value === "researcher" || value === "reviewer";
}

/** Who may open each area of the app: checked before anything renders (proxy.ts) and again by each area's layout. */
export const AREA_ROLES: Record<"/admin" | "/research" | "/annotate" | "/review" | "/account", readonly AppRole[]> = {
  "/admin": ["admin"],
  "/research": ["researcher", "admin"],
  "/annotate": ["annotator", "admin"],
  "/review": ["reviewer", "admin"],
  "/account": ["annotator", "researcher", "reviewer", "admin"],
};

/** The area a path belongs to, if it is one of the guarded ones. */
export function areaOf(pathname: string): keyof typeof AREA_ROLES | undefined {
  return (Object.keys(AREA_ROLES) as (keyof typeof AREA_ROLES)[]).find((a) => pathname === a || pathname.startsWith(`${a}/`));
}
