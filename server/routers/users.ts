// Users: admins list, create, edit (role, name, disabled) and reset passwords; everyone can read themselves and
// change their own password.
import { z } from "zod";
import { ROLES } from "../../db/schema";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { clearSignInLimit, listSignInLimits } from "../services/sign-in-limits";
import { changeOwnPassword, createUser, listUsers, MIN_PASSWORD_LENGTH, resetPassword, updateUser } from "../services/users";
import { id } from "./inputs";

const password = z.string().min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`).max(200);

export const usersRouter = createTRPCRouter({
  /** The signed-in user, as the database knows them now. */
  me: protectedProcedure.query(({ ctx }) => ctx.user),

  list: adminProcedure.query(async ({ ctx }) => await listUsers(ctx.db)),

  /** Without a password one is generated and returned once, for the admin to pass on. */
  create: adminProcedure
    .input(z.object({ email: z.email().max(320), role: z.enum(ROLES), name: z.string().trim().max(200).optional(), password: password.optional() }))
    .mutation(async ({ ctx, input }) => await createUser(ctx.db, input, ctx.user.id)),

  update: adminProcedure
    .input(z.object({ id, role: z.enum(ROLES).optional(), name: z.string().trim().max(200).optional(), disabled: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => await updateUser(ctx.db, input, ctx.user.id)),

  /** Anyone signed in changes their own password; their other sessions end, this one stays. */
  changePassword: protectedProcedure
    .input(z.object({ current: z.string().min(1, "enter your current password").max(200), next: password }))
    .mutation(async ({ ctx, input }) => await changeOwnPassword(ctx.db, { userId: ctx.user.id, sessionId: ctx.sessionId, current: input.current, next: input.next })),

  /** Addresses refused and accounts slowed down by the sign-in limits right now. */
  signInLimits: adminProcedure.query(async ({ ctx }) => await listSignInLimits(ctx.db)),

  clearSignInLimit: adminProcedure
    .input(z.object({ key: z.string().min(1).max(400) }))
    .mutation(async ({ ctx, input }) => await clearSignInLimit(ctx.db, input.key, ctx.user.id)),

  resetPassword: adminProcedure
    .input(z.object({ id, password: password.optional() }))
    .mutation(async ({ ctx, input }) => await resetPassword(ctx.db, input, ctx.user.id)),
});
