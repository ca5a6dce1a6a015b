// The 404 page.
import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-lg font-semibold text-slate-900">Page not found</h1>
      <p className="mt-2 text-sm text-slate-500">There is nothing at this address.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Go to the start page
      </Link>
    </div>
  );
}
