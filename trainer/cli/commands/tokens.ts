// `rlhf tokens create`: an API token for the HTTP export, shown once.
import { getDb } from "../../../db/index";
import { createApiToken } from "../../../server/services/api-tokens";
import type { Command, Handler } from "../types";

const createToken: Handler = async (args) => {
  const email = args.string("user", { required: true });
  const name = args.string("name", { required: true });
  args.assertAllUsed();
  const t = createApiToken(getDb(), email, name);
  return {
    json: t,
    text: `token for ${t.user} (${t.role}), shown once — keep it safe:\n${t.token}\nuse: curl -H 'Authorization: Bearer ${t.token}' 'http://localhost:3000/api/export?format=trl-preference'`,
  };
};

export const commands: Command[] = [{ name: "tokens create", usage: "rlhf tokens create --user EMAIL --name N", run: createToken }];
