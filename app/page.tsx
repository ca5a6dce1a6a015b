// The root path sends each user to the home page of their role (or to sign-in).
import { redirect } from "next/navigation";
import { HOME_FOR_ROLE } from "./_lib/roles";
import { getSessionUser } from "./_lib/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  const user = await getSessionUser();
  redirect(user ? HOME_FOR_ROLE[user.role] : "/login");
}
