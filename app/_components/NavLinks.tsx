"use client";
// The top-nav links for a role, with the current section highlighted.
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { AppRole } from "~/app/_lib/roles";

const LINKS: Record<AppRole, { href: string; label: string }[]> = {
  admin: [
    { href: "/admin", label: "Progress" },
    { href: "/admin/users", label: "Users" },
    { href: "/admin/projects/new", label: "New project" },
    { href: "/admin/runs", label: "Runs" },
    { href: "/admin/models", label: "Models" },
    { href: "/admin/playground", label: "Playground" },
    { href: "/annotate", label: "Annotate" },
    { href: "/research", label: "Research" },
    { href: "/review", label: "Review" },
  ],
  annotator: [{ href: "/annotate", label: "My tasks" }],
  researcher: [
    { href: "/research", label: "Overview" },
    { href: "/research/runs", label: "Runs" },
    { href: "/research/models", label: "Models" },
    { href: "/research/playground", label: "Playground" },
  ],
  reviewer: [{ href: "/review", label: "Review" }],
};

/** The link for the current page: an exact match, else the longest prefix (so /admin is not lit on /admin/users). */
function activeHref(pathname: string, hrefs: string[]): string | undefined {
  if (hrefs.includes(pathname)) return pathname;
  return hrefs.filter((h) => pathname.startsWith(h + "/")).sort((a, b) => b.length - a.length)[0];
}

export function NavLinks({ role }: { role: AppRole }) {
  const pathname = usePathname() ?? "";
  const links = LINKS[role];
  const active = activeHref(pathname, links.map((l) => l.href));
  return (
    // Never wider than the header: on a narrow screen the links scroll sideways rather than push the page wider.
    <nav className="flex min-w-0 items-center gap-1 overflow-x-auto">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className={`shrink-0 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium ${
            link.href === active ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white"
          }`}
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
