"use client";
// The credentials form: signs in through next-auth without a page reload and explains why a sign-in failed.
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button, inputClass } from "~/app/_components/ui";
import { ErrorBanner } from "~/app/_components/ErrorBanner";

/** next-auth reports failures as short codes (or the message the authorize step threw); say it for people. */
function signInErrorMessage(error: string): string {
  if (error === "CredentialsSignin") return "Wrong email or password.";
  if (/disabled/i.test(error)) return "This account is disabled. Ask an admin to enable it.";
  if (/too many|rate/i.test(error)) return "Too many sign-in attempts. Wait a few minutes and try again.";
  if (error.length < 200 && !/[{}\n]/.test(error)) return error;
  return "Sign-in failed. Please try again.";
}

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const res = await signIn("credentials", { email: email.trim(), password, redirect: false });
      if (!res || res.error || !res.ok) {
        setError(signInErrorMessage(res?.error ?? "Sign-in failed."));
        setBusy(false);
        return;
      }
      // A full navigation, so the server components see the new session cookie.
      window.location.assign(callbackUrl);
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <ErrorBanner error={error} />
      <div className="space-y-1">
        <label htmlFor="email" className="block text-sm font-medium text-slate-700">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          className={inputClass}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium text-slate-700">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className={inputClass}
        />
      </div>
      <Button type="submit" className="w-full py-2" disabled={busy || !email || !password}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
