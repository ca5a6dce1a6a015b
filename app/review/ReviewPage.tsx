"use client";
// The review queue of one project: pick an item, see every annotator's ranking side by side, then accept one,
// write the adjudicated ranking, or send the item out again with one more annotator.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { ItemRankings } from "~/app/_components/ItemRankings";
import { Badge, Button, Card, EmptyState, Loading, PageHeader, Select } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { AdjudicationForm } from "./AdjudicationForm";

export function ReviewPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const [chosenProject, setProjectId] = useState<string | null>(null);
  const projectId = chosenProject ?? projects.data?.[0]?.id ?? null;
  const queue = useQuery({ ...trpc.reviews.queue.queryOptions({ projectId: projectId ?? "" }), enabled: !!projectId });
  const [chosenReview, setReviewId] = useState<string | null>(null);
  const reviewId = chosenReview && queue.data?.some((r) => r.id === chosenReview) ? chosenReview : (queue.data?.[0]?.id ?? null);
  const review = useQuery({ ...trpc.reviews.get.queryOptions({ reviewId: reviewId ?? "" }), enabled: !!reviewId });
  const done = async () => {
    setReviewId(null);
    await queryClient.invalidateQueries({ queryKey: trpc.reviews.queue.queryKey() });
  };
  const resolve = useMutation(trpc.reviews.resolve.mutationOptions({ onSuccess: done }));
  const sendBack = useMutation(trpc.reviews.sendBack.mutationOptions({ onSuccess: done }));
  const busy = resolve.isPending || sendBack.isPending;

  if (projects.isPending) return <Loading />;
  if (projects.isError) return <ErrorBanner error={projects.error} />;
  if (!projectId) return <EmptyState title="No projects yet" />;
  return (
    <div className="space-y-4">
      <PageHeader
        title="Review"
        subtitle="Items whose annotators disagree, or where a gold check failed. The ranking you settle on is what exports use."
        actions={
          <div className="w-56">
            <Select id="review-project" value={projectId} onChange={setProjectId} options={projects.data.map((p) => ({ value: p.id, label: p.name }))} />
          </div>
        }
      />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,3fr)]">
        <Card title={`Queue${queue.data ? ` (${queue.data.length})` : ""}`}>
          {queue.isPending ? (
            <Loading />
          ) : queue.isError ? (
            <ErrorBanner error={queue.error} />
          ) : queue.data.length === 0 ? (
            <p className="text-sm text-slate-500" data-testid="review-empty">
              Nothing to review: no item falls at or below the project&apos;s agreement threshold, and no gold check failed.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="review-queue">
              {queue.data.map((r) => (
                <li key={r.id}>
                  <button type="button" onClick={() => setReviewId(r.id)} className={`w-full px-2 py-2 text-left text-sm hover:bg-slate-50 ${r.id === reviewId ? "bg-indigo-50" : ""}`}>
                    <span className="line-clamp-2 text-slate-800">{r.prompt}</span>
                    <span className="mt-0.5 flex gap-1 text-xs text-slate-500">
                      <Badge tone={r.reason === "gold" ? "amber" : "red"}>{r.reason === "gold" ? "gold check failed" : "disagreement"}</Badge>
                      {r.agreement !== null && <span>agreement {r.agreement.toFixed(2)}</span>}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Item">
          {!reviewId ? (
            <p className="text-sm text-slate-500">Pick an item from the queue.</p>
          ) : review.isPending ? (
            <Loading />
          ) : review.isError ? (
            <ErrorBanner error={review.error} />
          ) : (
            <div className="space-y-4">
              <ItemRankings
                item={review.data.item}
                actions={(r) =>
                  r.notRankable || !sameItem(r.ordering, review.data.review.itemKey) ? null : (
                    <Button variant="secondary" disabled={busy} onClick={() => resolve.mutate({ reviewId: reviewId, ordering: r.ordering, note: `accepted ${r.annotator ?? "imported"}'s ranking` })}>
                      Accept
                    </Button>
                  )
                }
              />
              <AdjudicationForm
                completionIds={review.data.review.itemKey.split(",")}
                completions={review.data.item.completions}
                busy={busy}
                onSubmit={(ordering, note) => resolve.mutate({ reviewId, ordering, note })}
              />
              <div className="flex items-center gap-3 border-t border-slate-100 pt-3">
                <Button variant="ghost" disabled={busy} onClick={() => sendBack.mutate({ reviewId, extra: 1 })} data-testid="send-back">
                  Send out again (+1 annotator)
                </Button>
              </div>
              <ErrorBanner error={resolve.error ?? sendBack.error} />
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}

/** An annotator's ranking can be accepted only if it orders exactly this item's completions. */
function sameItem(ordering: string[][], itemKey: string): boolean {
  return [...ordering.flat()].sort().join(",") === itemKey;
}
