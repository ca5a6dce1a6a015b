// /research/playground: the same playground researchers reach from their own menu (one page, two routes).
import type { Metadata } from "next";
import AdminPlayground from "~/app/admin/playground/page";

export const metadata: Metadata = { title: "Playground" };

export default AdminPlayground;
