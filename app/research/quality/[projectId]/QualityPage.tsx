"use client";
// A project's label quality: α and pairwise agreement (and over time), the per-annotator table with low reliability
// highlighted for spot checks, distributions of flags, Likert ratings and time per task, and the item explorer.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { BarChart } from "~/app/_components/BarChart";
import { ErrorBanner } from "~/app/_components/ErrorBanner";
import { LineChart } from "~/app/_components/LineChart";
import { Card, Loading, PageHeader, Stat } from "~/app/_components/ui";
import { useTRPC } from "~/app/_lib/trpc";
import { formatCount } from "~/app/_lib/time";
import { AnnotatorTable } from "./AnnotatorTable";
import { ItemExplorer } from "./ItemExplorer";

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "—" : x.toFixed(digits));

export function QualityPage({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ id: projectId }));
  const quality = useQuery(trpc.stats.quality.queryOptions({ projectId }));
  if (project.isPending || quality.isPending) return <Loading />;
  if (project.isError || quality.isError) return <ErrorBanner error={project.error ?? quality.error} />;
  const q = quality.data;
  const days = q.overTime;
  return (
    <div className="space-y-5">
      <div>
        <Link href="/research" className="text-sm text-slate-500 hover:text-slate-800">
          ← Overview
        </Link>
        <PageHeader title={`${project.data.name}: label quality`} subtitle="Computed from the raw rankings of items that two or more annotators ranked." />
      </div>
      <div className="grid grid-cols-4 gap-3">
        <Stat label="Krippendorff's alpha (ordinal)" value={fmt(q.krippendorffAlpha, 3)} testId="quality-alpha" />
        <Stat label="Pairwise agreement" value={fmt(q.pairwiseAgreement, 3)} testId="quality-agreement" />
        <Stat label="Items with overlap" value={formatCount(q.itemsWithOverlap)} />
        <Stat label="Annotators" value={formatCount(q.annotators.length)} />
      </div>
      {q.itemsWithOverlap === 0 && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="no-overlap">
          No items were ranked by two annotators yet, so there is no agreement to measure. Raise the project&apos;s overlap N.
        </p>
      )}
      <Card title="Annotators">
        <AnnotatorTable annotators={q.annotators} />
      </Card>
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-4">
        <div className="lg:col-span-1">
          {days.length > 1 ? (
            <LineChart
              title="Agreement by day (x: day number)"
              series={[
                { name: "α", color: "#4f46e5", points: days.flatMap((d, i) => (d.alpha === null ? [] : [{ step: i + 1, value: d.alpha }])) },
                { name: "agreement", color: "#059669", points: days.flatMap((d, i) => (d.agreement === null ? [] : [{ step: i + 1, value: d.agreement }])) },
              ]}
            />
          ) : (
            <BarChart title="Items ranked by 2+, by day" bars={days.map((d) => ({ label: d.day.slice(5), value: d.items }))} />
          )}
        </div>
        <BarChart title="Flags set" bars={Object.entries(q.flagCounts).map(([label, value]) => ({ label, value }))} testId="chart-flags" />
        <BarChart
          title="Likert ratings"
          bars={Object.entries(q.likertCounts)
            .sort(([a], [b]) => Number(a) - Number(b))
            .map(([label, value]) => ({ label, value }))}
          testId="chart-likert"
        />
        <BarChart
          title="Time per task"
          bars={q.timeBuckets.map((b, i) => ({ label: b.upToSeconds === null ? `> ${q.timeBuckets[i - 1]?.upToSeconds ?? 0}s` : `≤ ${b.upToSeconds}s`, value: b.count }))}
          testId="chart-time"
        />
      </div>
      <Card title="Items">
        <ItemExplorer projectId={projectId} />
      </Card>
    </div>
  );
}
