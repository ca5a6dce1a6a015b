// The small rules of endpoint policies and sample runs, on their own: base URLs as the OpenAI client needs them, what
// is refused at registration, how K is split among policies, and the bounded-concurrency map the sampler uses.
import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../../server/services/endpoint-sampling";
import { normalizeBaseUrl, parseEndpoint } from "../../server/services/endpoints";
import { policyNames, splitK } from "../../server/services/sampling";

describe("endpoint base URLs", () => {
  it.each([
    ["http://localhost:8000", "http://localhost:8000/v1"],
    ["http://localhost:8000/", "http://localhost:8000/v1"],
    ["http://localhost:8000/v1/", "http://localhost:8000/v1"],
    ["https://api.example.com/openai/v1", "https://api.example.com/openai/v1"],
    ["http://127.0.0.1:11434/v2", "http://127.0.0.1:11434/v2"],
  ])("%s → %s", (raw, want) => expect(normalizeBaseUrl(raw)).toBe(want));

  it("refuses what would store a key or cannot be called", () => {
    expect(() => normalizeBaseUrl("localhost:8000")).toThrow(/must start with http/);
    expect(() => normalizeBaseUrl("not a url")).toThrow("base URL 'not a url' is not a URL; give one like http://localhost:8000/v1");
    expect(() => normalizeBaseUrl("http://h/v1?key=sk-1")).toThrow("must not have a query or fragment");
    expect(() => parseEndpoint({ baseUrl: "http://h", model: " " })).toThrow(/model id must be 1-200 characters/);
    expect(parseEndpoint({ baseUrl: "http://h", model: "m", apiKeyEnv: " MY_KEY " })).toEqual({ baseUrl: "http://h/v1", model: "m", api: "chat", apiKeyEnv: "MY_KEY" });
  });
});

describe("sharing K among policies", () => {
  it("splits as evenly as possible, the first policies taking the remainder", () => {
    expect(splitK(4, 2)).toEqual([2, 2]);
    expect(splitK(5, 2)).toEqual([3, 2]);
    expect(splitK(4, 3)).toEqual([2, 1, 1]);
    expect(splitK(16, 1)).toEqual([16]);
    expect(() => splitK(2, 3)).toThrow("k = 2 cannot give each of the 3 policies a completion; raise k to at least 3");
  });

  it("reads a policies list, each once", () => {
    expect(policyNames(" a, b ,c,")).toEqual(["a", "b", "c"]);
    expect(() => policyNames("a,b,a")).toThrow("policy 'a' is named twice");
  });
});

describe("mapWithConcurrency", () => {
  it("keeps at most `limit` in flight and returns results in input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (ms, i) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(3);
  });

  it("rejects with the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (x) => {
        started.push(x);
        await new Promise((r) => setTimeout(r, 1));
        if (x === 1) throw new Error("boom");
        return x;
      }),
    ).rejects.toThrow("boom");
    expect(started.length).toBeLessThan(6);
  });
});
