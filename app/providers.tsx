"use client";
// Client-side providers: one QueryClient and one tRPC client per browser tab.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { z } from "zod";
import type { AppRouter } from "~/server/routers/_app";
import { TRPCProvider } from "./_lib/trpc";

// zod compiles fast parsers with `new Function` unless told not to; the page's CSP forbids eval (proxy.ts), and even
// zod's probe for it would be reported as a violation. Forms validate little, so the interpreter is plenty.
z.config({ jitless: true });

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        // Auth and validation errors will not fix themselves; retry only what might be transient.
        retry: (count, err) => {
          const code = (err as { data?: { code?: string } }).data?.code;
          return count < 2 && (!code || code === "INTERNAL_SERVER_ERROR");
        },
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
