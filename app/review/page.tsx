// /review: the review queue: items whose annotators disagree or that failed a gold check, adjudicated one by one.
import type { Metadata } from "next";
import { ReviewPage } from "./ReviewPage";

export const metadata: Metadata = { title: "Review" };

export default function Page() {
  return <ReviewPage />;
}
