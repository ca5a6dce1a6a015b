// The non-task states of an annotation page: loading, no more tasks, and a failed load with a retry.
import Link from "next/link";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { Button, EmptyState, Loading } from "~/app/_components/ui";

export function TaskLoading() {
  return <Loading label="Loading the next task…" />;
}

export function NoMoreTasks({ what }: { what: string }) {
  return (
    <EmptyState title="No more tasks">
      <p>There are no {what} waiting for you in this project right now.</p>
      <p className="mt-4">
        <Link href="/annotate" className="font-medium text-indigo-600 hover:underline">
          Back to my tasks
        </Link>
      </p>
    </EmptyState>
  );
}

export function TaskLoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="space-y-3">
      <ErrorBanner error={error} />
      <Button variant="secondary" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}
