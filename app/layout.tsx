// The root layout: global styles, page metadata and the client providers around every page.
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { Providers } from "./providers";

// Every page renders per request: its scripts carry that request's CSP nonce (set in proxy.ts), which a page built
// ahead of time could not.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "RLHF Workbench", template: "%s · RLHF Workbench" },
  description: "Write demonstrations, rank model completions, train reward models and policies.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
