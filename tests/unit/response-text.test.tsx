// Responses are shown as the text that is stored and exported: a completion or a demonstration is never markdown
// ("366." is not an empty list item, single newlines stay), while guidelines still render as markdown.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../../app/_components/Markdown";
import { MarkdownEditor } from "../../app/_components/MarkdownEditor";
import { ResponseText } from "../../app/_components/ResponseText";
import { PromptCard } from "../../app/annotate/_components/PromptCard";
import { CompletionCard } from "../../app/annotate/rank/_components/CompletionCard";

const ANSWER = "366.\n12.\nline one\nline two\n\n  indented *not emphasis*";

/** The text a browser shows for an element rendered with white-space: pre-wrap (tags dropped, entities decoded). */
const visibleText = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

function completionCard(text: string): string {
  return renderToStaticMarkup(
    <CompletionCard
      cardRef={() => {}}
      id="c1"
      letter="A"
      text={text}
      rank={undefined}
      tied={false}
      flagOptions={[]}
      flags={[]}
      likertScale={0}
      rating={undefined}
      disabled={false}
      onKeyDown={() => {}}
      onToggleFlag={() => {}}
      onRate={() => {}}
    />,
  );
}

describe("response text", () => {
  it("a completion card shows the completion's exact text with its whitespace, no markdown", () => {
    const html = completionCard(ANSWER);
    expect(html).not.toMatch(/<(ol|ul|li|p|em)\b/);
    const body = /data-testid="completion-text"[^>]*>([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(visibleText(body)).toBe(ANSWER);
    expect(html).toContain("white-space:pre-wrap");
  });

  it("a chat prompt's turns and a plain prompt are plain text too", () => {
    const html = renderToStaticMarkup(<PromptCard prompt="and?" messages={[{ role: "user", content: "1. one" }, { role: "assistant", content: "366.\n12." }, { role: "user", content: "and?" }]} />);
    expect(html).not.toMatch(/<(ol|li)\b/);
    expect(visibleText(html)).toContain("366.\n12.");
    expect(html.match(/data-testid="prompt-turn"/g)).toHaveLength(3);
  });

  it("the demonstration preview shows the response as text; guidelines stay markdown", () => {
    expect(renderToStaticMarkup(<ResponseText text="- a\n- b" />)).not.toContain("<li>");
    expect(renderToStaticMarkup(<Markdown text={"- a\n- b"} />)).toContain("<li>");
    // The editor opens on Write; the preview prop is what DemonstrationTask passes (previewAs="text").
    expect(renderToStaticMarkup(<MarkdownEditor value="366." onChange={() => {}} previewAs="text" />)).toContain("366.");
  });
});
