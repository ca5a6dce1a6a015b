// After sign-in a user is only ever sent to a page of this site, however the callbackUrl is dressed up.
import { describe, expect, it } from "vitest";
import { safeCallback } from "../../app/_lib/safe-callback";

describe("safeCallback", () => {
  it("keeps same-site paths with their query and hash", () => {
    expect(safeCallback("/admin/runs?kind=ppo#top")).toBe("/admin/runs?kind=ppo#top");
    expect(safeCallback(["/annotate", "/admin"])).toBe("/annotate");
  });

  it.each([
    "/\\evil.example/phish", // browsers read "\" as "/": protocol-relative
    "/%09/evil.example", // a tab, dropped by browsers
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\/evil.example",
    "//evil.example",
    "https://evil.example/",
    "evil.example",
    "javascript:alert(1)",
    "/login?callbackUrl=/admin",
    "",
  ])("sends %j home instead", (value) => {
    const out = safeCallback(value);
    expect(["/", expect.stringMatching(/^\/(?![/\\])/)]).toContainEqual(out);
    expect(new URL(out, "http://app.test").origin).toBe("http://app.test");
    expect(out.startsWith("/login")).toBe(false);
  });
});
