// `rlhf tokens create | list | revoke`: API tokens for the HTTP export: shown once at creation, with an expiry
// (90 days by default) and a scope; listed with their last use; revoked at once.
import { getDb } from "../../../db/index";
import { createApiToken, DEFAULT_TOKEN_DAYS, listApiTokens, MAX_TOKEN_DAYS, revokeApiToken } from "../../../server/services/api-tokens";
import { table } from "../shared";
import type { Command } from "../types";

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");

export const commands: Command[] = [
  {
    name: "tokens create",
    usage: "rlhf tokens create --user EMAIL --name N [--expires-days D]",
    help: `The token is printed once. It expires after ${DEFAULT_TOKEN_DAYS} days unless --expires-days says otherwise (at most ${MAX_TOKEN_DAYS}); its scope is the HTTP export.`,
    async run(args) {
      const email = args.string("user", { required: true });
      const name = args.string("name", { required: true });
      const expiresDays = args.int("expires-days", { default: DEFAULT_TOKEN_DAYS, min: 1, max: MAX_TOKEN_DAYS });
      args.assertAllUsed();
      const t = await createApiToken(getDb(), { email, name, expiresDays });
      return {
        json: t,
        text: `token '${t.name}' for ${t.user} (${t.role}), expires ${day(t.expires_at)}, shown once — keep it safe:\n${t.token}\nuse: curl -H 'Authorization: Bearer ${t.token}' 'http://localhost:3000/api/export?format=trl-preference'`,
      };
    },
  },
  {
    name: "tokens list",
    usage: "rlhf tokens list [--user EMAIL]",
    async run(args) {
      const email = args.string("user");
      args.assertAllUsed();
      const tokens = await listApiTokens(getDb(), { email });
      const state = (t: (typeof tokens)[number]) => (t.revoked ? "revoked" : t.active ? "active" : "expired");
      const text = tokens.length
        ? table([["ID", "NAME", "USER", "CREATED", "EXPIRES", "LAST USED", "STATE"], ...tokens.map((t) => [t.id, t.name, t.user, day(t.created_at), day(t.expires_at), day(t.last_used_at), state(t)])])
        : "no tokens ('rlhf tokens create --user EMAIL --name N' makes one)";
      return { json: { tokens }, text };
    },
  },
  {
    name: "tokens revoke",
    usage: "rlhf tokens revoke ID",
    async run(args) {
      const id = args.positional(0, "ID (from 'rlhf tokens list')");
      args.assertAllUsed();
      const t = await revokeApiToken(getDb(), id);
      return { json: { id: t.id, name: t.name, user: t.user, revoked: true }, text: `revoked token '${t.name}' of ${t.user}; it no longer works` };
    },
  },
];
