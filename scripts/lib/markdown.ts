/**
 * Markdown for GitHub (the audit's report.md, the PR comment): text that must show literally, placeholders such as
 * `<repository>` included, and code that must not escape its fence.
 */

/** Text for Markdown prose or a table cell: HTML-significant characters and pipes escaped, one line. */
export function escapeCell(text: string): string {
    return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/\|/g, "\\|")
        .replace(/\s*\n\s*/g, " ")
        .trim();
}

/** A fenced code block whose fence is longer than any backtick run inside (so content cannot close it). */
export function fence(lang: string, body: string): string {
    const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
    const f = "`".repeat(longest + 1);
    return `${f}${lang}\n${body.endsWith("\n") ? body : `${body}\n`}${f}`;
}
