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
    { href: "/annotate", label: "Annotate" },
    { href: "/research", label: "Research" },
  ],
  annotator: [{ href: "/annotate", label: "My tasks" }],
  researcher: [{ href: "/research", label: "Overview" }],
};

function isActive(pathname: string, href: string, all: string[]): boolean {
  if (pathname === href) return true;
  // The longest matching prefix wins, so /admin is not highlighted on /admin/users.
  const matches = all.filter((h) => pathname.startsWith(h + "/"));
  return matches.length > 0 && matches.sort((a, b) => b.length - a.length)[0] === href;
}

export function NavLinks({ role }: { role: AppRole }) {
  const pathname = usePathname() ?? "";
  const links = LINKS[role];
  const hrefs = links.map((l) => l.href);
  return (
    <nav className="flex items-center gap-1">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className={`rounded-md px-2.5 py-1.5 text-sm font-medium ${
            isActive(pathname, link.href, hrefs) ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white"
          }`}
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
