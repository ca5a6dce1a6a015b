// Environment variables, validated with zod when first read (never at import, so `next build` needs none).
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.string().trim().min(1).optional(),
  RLHF_HOME: z.string().trim().min(1).optional(),
  NEXTAUTH_URL: z.url({ message: "must be the site's full origin, e.g. http://localhost:3000" }).optional(),
  NEXTAUTH_SECRET: z.string().min(32, { message: "must have at least 32 characters (or leave it unset to generate one)" }).optional(),
  ADMIN_EMAIL: z.email({ message: "must be an email address" }).optional(),
  ADMIN_PASSWORD: z.string().min(8, { message: "must have at least 8 characters" }).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; a bad value is one clear message naming the variable and what it must be. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings count as unset: `ADMIN_PASSWORD= npm start` should not be an error.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}.`);
  }
  return parsed.data;
}
