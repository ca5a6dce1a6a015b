// Generates the built-in base model's training corpus: everyday assistant prompts paired with short replies in
// deliberately varied styles (terse, friendly, list, detailed) and lengths, so samples from the model have spread
// in length and wording for the PPO/DPO judges to act on. Deterministic from a seed; tfjs-free.
import { mulberry32, pick, randomInt, shuffled } from "../../server/services/random";
import { TOPICS, type Topic } from "./topics";

export interface CorpusPair {
  prompt: string;
  reply: string;
  topic: string;
  style: ReplyStyle;
}

export const REPLY_STYLES = ["terse", "friendly", "list", "detailed"] as const;
export type ReplyStyle = (typeof REPLY_STYLES)[number];

const OPENERS = ["Sure!", "Of course.", "Great question!", "Happy to help.", "Good idea!", "Okay, here is an idea.", "Absolutely."];
const CLOSERS = ["Hope this helps!", "Good luck!", "Enjoy!", "Have a great day!", "Let me know if you need more help.", "You can do it!"];
const LIST_LEADS = ["Here are a few ideas:", "A few things that help:", "You could try", "Some good options are"];

type Rand = () => number;

function fillSlots(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template '${template}' uses unknown slot {${key}}`);
    return v;
  });
}

/** Capitalises the first letter of each sentence (slot values like "pasta" can start one). */
function capitaliseSentences(text: string): string {
  return text.replace(/(^|[.!?]\s+|\n)([a-z])/g, (_, lead: string, ch: string) => lead + ch.toUpperCase());
}

function joinList(items: string[]): string {
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")}, and ${items[items.length - 1]}`;
}

function takeDistinct<T>(rand: Rand, items: readonly T[], n: number): T[] {
  return shuffled(items, rand).slice(0, Math.min(n, items.length));
}

/** Builds one reply from a topic's sentences in the given style. */
function composeReply(rand: Rand, topic: Topic, style: ReplyStyle, points: readonly string[]): string {
  const most = (n: number) => Math.min(n, topic.maxPoints ?? n);
  if (topic.name === "poem") {
    // Poems keep their line breaks: 2–4 lines, the variety is in the length.
    return takeDistinct(rand, points, 2 + randomInt(rand, 3)).join("\n");
  }
  switch (style) {
    case "terse":
      return pick(rand, points);
    case "friendly": {
      const body = takeDistinct(rand, points, most(1 + randomInt(rand, 2))).join(" ");
      return [pick(rand, OPENERS), body, rand() < 0.7 ? pick(rand, CLOSERS) : ""].filter(Boolean).join(" ");
    }
    case "list": {
      const lead = pick(rand, LIST_LEADS);
      const items = joinList(takeDistinct(rand, topic.items, 2 + randomInt(rand, 3)));
      const after = rand() < 0.4 && topic.maxPoints === undefined ? " " + pick(rand, points) : "";
      return `${rand() < 0.3 ? pick(rand, OPENERS) + " " : ""}${lead} ${items}.${after}`;
    }
    case "detailed":
      return takeDistinct(rand, points, most(3 + randomInt(rand, 2))).join(" ") + (rand() < 0.3 || most(3) < 3 ? " " + pick(rand, CLOSERS) : "");
  }
}

function slotValues(rand: Rand, topic: Topic): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, options] of Object.entries(topic.slots ?? {})) values[key] = pick(rand, options);
  if (topic.tuples) {
    const row = pick(rand, topic.tuples.rows);
    topic.tuples.keys.forEach((key, i) => (values[key] = row[i]!));
  }
  return values;
}

/** The topic whose keywords best match a free-form prompt; "general" when none do. */
export function topicForPrompt(prompt: string): Topic {
  const text = prompt.toLowerCase();
  let best = TOPICS.find((t) => t.name === "general")!;
  let bestScore = 0;
  for (const topic of TOPICS) {
    const score = topic.keywords.filter((k) => text.includes(k)).length;
    if (score > bestScore) [best, bestScore] = [topic, score];
  }
  return best;
}

export interface CorpusOptions {
  seed: number;
  /** Pairs generated from the topic templates. */
  templatePairs: number;
  /** Replies longer than this are redrawn (the model's context is short). */
  maxReplyChars?: number;
  /** Free-form prompts (the seed prompts) to add, each with `repliesPerSeedPrompt` varied replies. */
  seedPrompts?: readonly string[];
  repliesPerSeedPrompt?: number;
}

/** The whole corpus, in a deterministic shuffled order. */
export function generateCorpus(opts: CorpusOptions): CorpusPair[] {
  const rand = mulberry32(opts.seed);
  const pairs: CorpusPair[] = [];
  const templated = TOPICS.filter((t) => t.prompts.length > 0);
  for (let i = 0; i < opts.templatePairs; i++) {
    const topic = templated[i % templated.length]!;
    const values = slotValues(rand, topic);
    const style = pick(rand, topic.styles ?? REPLY_STYLES);
    const prompt = capitaliseSentences(fillSlots(pick(rand, topic.prompts), values));
    let reply = "";
    for (let attempt = 0; attempt < 8; attempt++) {
      reply = capitaliseSentences(fillSlots(composeReply(rand, topic, attempt < 7 ? style : "terse", topic.points), values));
      if (reply.length <= (opts.maxReplyChars ?? 220)) break;
    }
    pairs.push({ prompt, reply, topic: topic.name, style });
  }
  const templatePrompts = new Set(pairs.map((p) => p.prompt));
  // Seed prompts the templates already produce are covered with on-topic replies; the rest borrow a topic.
  for (const prompt of (opts.seedPrompts ?? []).filter((p) => !templatePrompts.has(p))) {
    const topic = topicForPrompt(prompt);
    // A seed prompt's own words are not slots, so only sentences without slots fit it.
    const points = topic.points.filter((p) => !p.includes("{"));
    const usable = points.length > 0 ? points : TOPICS.find((t) => t.name === "general")!.points;
    for (let r = 0; r < (opts.repliesPerSeedPrompt ?? 8); r++) {
      const style = pick(rand, topic.styles ?? REPLY_STYLES);
      pairs.push({ prompt, reply: capitaliseSentences(composeReply(rand, topic, style, usable)), topic: topic.name, style });
    }
  }
  return shuffled(pairs, rand);
}
