/**
 * The PR check's Markdown summary (issue 10 §3): what a change really changes, per stack and cluster.
 *
 *   node --import tsx scripts/pr-summary.ts --base <rendered-base/> --head <rendered/> [--audit <report.json>]
 *       [--preview <stack>=<preview.json>[,<events.jsonl>]]... [--out summary.md]
 *
 * - `--base`, `--head`: two `npm run render` trees (`<stack>/<cluster>/<object>.yaml`), of the PR's base branch and
 *   of its head. Per cluster: objects added, changed and removed, and the manifest diff (collapsed when long).
 *   A cluster or stack that exists on one side only shows as wholly added or removed.
 * - `--audit`: `npm run audit`'s report.json of the head; its policy results are listed per cluster.
 * - `--preview`: an engine preview (`pulumi preview --json` and its `--event-log`), where a real backend is
 *   configured; summarised as before (steps per cluster). A step is counted on the compute cluster whose
 *   ComputeCluster component it belongs to (walking up the parents), or on `gateway` for the webhook gateway.
 *
 * Text from messages and manifests is escaped for Markdown (`<repository>` stays visible), and the whole comment
 * stays under GitHub's 65536-character limit: diffs are dropped last-first with a note when it would not fit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { clusterOfViolation, Violation, violationsFromEventLog } from "./audit.js";
import { escapeCell, fence } from "./lib/markdown.js";

interface StepState {
    type?: string;
    parent?: string;
    custom?: boolean;
}
interface Step {
    op: string;
    urn: string;
    newState?: StepState;
    oldState?: StepState;
}

export interface StackPreview {
    stack: string;
    /** cluster → op → count */
    changes: Record<string, Record<string, number>>;
    violations: Violation[];
    /** Error diagnostics of a failed preview. */
    errors: string[];
}

const OPS = ["create", "update", "replace", "delete", "same"] as const;

/** `<type>` and `<name>` of a URN. */
function urnTypeName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts[3] ?? "" };
}

/**
 * Where a resource belongs: the name of its ComputeCluster ancestor, `gateway` under the Gateway component, or
 * undefined (providers, components, the stack).
 */
export function clusterOf(urn: string, parents: Map<string, string | undefined>): string | undefined {
    for (let u: string | undefined = parents.get(urn); u; u = parents.get(u)) {
        const { type, name } = urnTypeName(u);
        if (type === "pipeline-service:cluster:ComputeCluster") return name;
        if (type === "pipeline-service:gateway:Gateway") return "gateway";
    }
    return undefined;
}

function normalizeOp(op: string): string {
    if (op === "create-replacement" || op === "delete-replaced" || op === "replace") return "replace";
    if (op === "refresh" || op === "read") return "same";
    return op;
}

export function summarizePreview(stack: string, previewJson: string, eventLog?: string): StackPreview {
    const changes: Record<string, Record<string, number>> = {};
    const errors: string[] = [];
    let doc: { steps?: Step[]; diagnostics?: { severity: string; message: string }[] } = {};
    try {
        doc = JSON.parse(previewJson);
    } catch {
        errors.push("the preview printed no JSON");
    }
    const parents = new Map<string, string | undefined>();
    for (const s of doc.steps ?? []) parents.set(s.urn, (s.newState ?? s.oldState)?.parent);
    const replaced = new Set<string>();
    for (const s of doc.steps ?? []) {
        const state = s.newState ?? s.oldState;
        if (state?.custom === false || urnTypeName(s.urn).type.startsWith("pulumi:providers:")) continue;
        const cluster = clusterOf(s.urn, parents);
        if (!cluster) continue;
        const op = normalizeOp(s.op);
        if (op === "replace") {
            // A replacement shows up as several steps; count the resource once.
            if (replaced.has(s.urn)) continue;
            replaced.add(s.urn);
        }
        changes[cluster] ??= {};
        changes[cluster]![op] = (changes[cluster]![op] ?? 0) + 1;
    }
    const violations = eventLog ? violationsFromEventLog(eventLog, stack, "") : [];
    const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");
    for (const d of doc.diagnostics ?? []) {
        // "preview failed" is only the consequence of a mandatory violation, which the table shows.
        if (d.severity === "error" && !(mandatory && /^error: preview failed$/.test(d.message.trim())))
            errors.push(d.message.trim());
    }
    return { stack, changes, violations, errors };
}

export function markdownSummary(previews: StackPreview[]): string {
    const out: string[] = ["# Pulumi preview", ""];
    for (const p of previews) {
        const mandatory = p.violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const status = mandatory
            ? `❌ ${mandatory} mandatory violation(s)`
            : p.errors.length
              ? "❌ preview failed"
              : "✅";
        out.push(`## Stack \`${p.stack}\` ${status}`, "");
        const clusters = Object.keys(p.changes).sort();
        if (clusters.length) {
            out.push("| cluster | create | update | replace | delete | unchanged |", "|---|---|---|---|---|---|");
            for (const c of clusters) {
                const n = (op: string) => String(p.changes[c]![op] ?? 0);
                out.push(
                    `| ${c} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${n("same")} |`,
                );
            }
            out.push("");
        }
        if (p.violations.length) {
            out.push("| level | policy | resource | message |", "|---|---|---|---|");
            for (const v of p.violations) {
                const res = v.resourceType ? `\`${v.resourceType}\` ${v.resourceName}` : "(stack)";
                out.push(`| ${v.enforcementLevel} | \`${v.rule}\` | ${res} | ${escapeCell(v.message)} |`);
            }
            out.push("");
        } else {
            out.push("No policy violations.", "");
        }
        for (const e of p.errors) out.push(fence("", e.slice(-2000)), "");
    }
    return out.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown escaping and size

/** GitHub's limit on a comment body (characters). */
export const GITHUB_COMMENT_LIMIT = 65536;

/** escapeCell and fence live in scripts/lib/markdown.ts (shared with the audit's report.md). */
export { escapeCell, fence };

// ---------------------------------------------------------------------------------------------------------------
// Render trees

/** stack → cluster → object file → content. */
export type RenderTree = Map<string, Map<string, Map<string, string>>>;

/** Read an `npm run render` tree (`<dir>/<stack>/<cluster>/<file>.yaml`); a missing directory is an empty tree. */
export function readRenderTree(dir: string): RenderTree {
    const tree: RenderTree = new Map();
    if (!fs.existsSync(dir)) return tree;
    const sorted = (d: string) =>
        fs
            .readdirSync(d, { withFileTypes: true })
            .filter((e) => !e.name.startsWith("."))
            .sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const s of sorted(dir).filter((e) => e.isDirectory())) {
        const clusters = new Map<string, Map<string, string>>();
        for (const c of sorted(path.join(dir, s.name)).filter((e) => e.isDirectory())) {
            const files = new Map<string, string>();
            for (const f of sorted(path.join(dir, s.name, c.name)).filter((e) => e.isFile())) {
                files.set(f.name, fs.readFileSync(path.join(dir, s.name, c.name, f.name), "utf8"));
            }
            clusters.set(c.name, files);
        }
        tree.set(s.name, clusters);
    }
    return tree;
}

export interface ObjectChange {
    file: string;
    kind: "added" | "changed" | "removed";
    /** Unified diff lines (with `+`/`-`/` ` prefixes and `@@` hunk headers). */
    diff: string[];
}

export interface ClusterDiff {
    stack: string;
    cluster: string;
    /** `added`/`removed` when the cluster exists on one side only. */
    status: "added" | "removed" | "changed" | "unchanged";
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    changes: ObjectChange[];
}

/** Longest-common-subsequence line diff, as unified hunks with `context` lines around each change. */
export function unifiedDiff(a: string, b: string, context = 3): string[] {
    const x = a === "" ? [] : a.replace(/\n$/, "").split("\n");
    const y = b === "" ? [] : b.replace(/\n$/, "").split("\n");
    const n = x.length,
        m = y.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
        for (let j = m - 1; j >= 0; j--)
            lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    const ops: { op: " " | "-" | "+"; line: string; ai: number; bi: number }[] = [];
    let i = 0,
        j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && x[i] === y[j]) {
            ops.push({ op: " ", line: x[i]!, ai: i, bi: j });
            i++;
            j++;
        } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
            ops.push({ op: "-", line: x[i]!, ai: i, bi: j });
            i++;
        } else {
            ops.push({ op: "+", line: y[j]!, ai: i, bi: j });
            j++;
        }
    }
    const out: string[] = [];
    let k = 0;
    while (k < ops.length) {
        if (ops[k]!.op === " ") {
            k++;
            continue;
        }
        const start = Math.max(0, k - context);
        let end = k;
        // Extend the hunk while the next change is within 2*context unchanged lines.
        for (let p = k; p < ops.length; p++) {
            if (ops[p]!.op !== " ") end = p;
            else if (p - end > 2 * context) break;
        }
        const stop = Math.min(ops.length, end + context + 1);
        const hunk = ops.slice(start, stop);
        const aLen = hunk.filter((o) => o.op !== "+").length,
            bLen = hunk.filter((o) => o.op !== "-").length;
        out.push(`@@ -${hunk[0]!.ai + (aLen ? 1 : 0)},${aLen} +${hunk[0]!.bi + (bLen ? 1 : 0)},${bLen} @@`);
        for (const o of hunk) out.push(`${o.op}${o.line}`);
        k = stop;
    }
    return out;
}

/** Per stack and cluster, what the head changes against the base. Sorted by stack, then cluster. */
export function diffRenderTrees(base: RenderTree, head: RenderTree): ClusterDiff[] {
    const out: ClusterDiff[] = [];
    const keys = <T>(a: Map<string, T> | undefined, b: Map<string, T> | undefined) =>
        [...new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])])].sort();
    for (const stack of keys(base, head)) {
        const bs = base.get(stack),
            hs = head.get(stack);
        for (const cluster of keys(bs, hs)) {
            const bc = bs?.get(cluster),
                hc = hs?.get(cluster);
            const d: ClusterDiff = {
                stack,
                cluster,
                status: !bc ? "added" : !hc ? "removed" : "unchanged",
                added: 0,
                changed: 0,
                removed: 0,
                unchanged: 0,
                changes: [],
            };
            for (const file of keys(bc, hc)) {
                const a = bc?.get(file),
                    b = hc?.get(file);
                if (a === b) {
                    d.unchanged++;
                    continue;
                }
                const kind = a === undefined ? "added" : b === undefined ? "removed" : "changed";
                d[kind]++;
                d.changes.push({ file, kind, diff: unifiedDiff(a ?? "", b ?? "") });
            }
            if (d.status === "unchanged" && d.changes.length) d.status = "changed";
            out.push(d);
        }
    }
    return out;
}

/** The cluster a policy result belongs to (the longest cluster name its resource name starts with): scripts/audit.ts. */
export { clusterOfViolation };

export interface SummaryInput {
    base: RenderTree;
    head: RenderTree;
    /** Policy results of the head (`npm run audit` report.json `stacks`). */
    audits?: { stack: string; violations: Violation[]; error?: string }[];
    /** Engine previews, where a backend is configured. */
    previews?: StackPreview[];
    /** Lines shown in full before a cluster's diff is collapsed. */
    collapseAfter?: number;
    /** Size budget (characters); default GitHub's comment limit. */
    limit?: number;
}

const DIFF_OMITTED = (n: number) =>
    `_Diff of ${n} line(s) omitted to stay under GitHub's comment size limit; it is in the job's \`pr-summary\` artifact (\`rendered-diff.md\`)._`;

/** The whole PR comment: rendered manifest changes per cluster, policy results, and any engine preview. */
export function prSummary(input: SummaryInput): string {
    const limit = input.limit ?? GITHUB_COMMENT_LIMIT;
    const collapseAfter = input.collapseAfter ?? 40;
    const diffs = diffRenderTrees(input.base, input.head);
    const stacks = [...new Set(diffs.map((d) => d.stack).concat((input.audits ?? []).map((a) => a.stack)))].sort();
    const totals = diffs.reduce(
        (t, d) => ({ added: t.added + d.added, changed: t.changed + d.changed, removed: t.removed + d.removed }),
        { added: 0, changed: 0, removed: 0 },
    );

    // Fixed parts (always shown) and one diff block per cluster (dropped last-first when over budget).
    const header = [
        "# Rendered manifests: base → head",
        "",
        `${totals.added} object(s) added, ${totals.changed} changed, ${totals.removed} removed, over ${stacks.length} stack(s).`,
        "",
    ];
    interface Part {
        text: string;
        diff?: { cluster: ClusterDiff; lines: number };
    }
    const parts: Part[] = [];
    for (const stack of stacks) {
        const sd = diffs.filter((d) => d.stack === stack);
        const audit = input.audits?.find((a) => a.stack === stack);
        const mandatory = audit?.violations.filter((v) => v.enforcementLevel === "mandatory").length ?? 0;
        const status = audit?.error
            ? "❌ audit failed"
            : mandatory
              ? `❌ ${mandatory} mandatory violation(s)`
              : audit
                ? "✅ policies pass"
                : "";
        const lines = [`## Stack \`${escapeCell(stack)}\` ${status}`.trimEnd(), ""];
        if (sd.length) {
            lines.push(
                "| cluster | status | added | changed | removed | unchanged | policy (mandatory / advisory) |",
                "|---|---|---|---|---|---|---|",
            );
            for (const d of sd) {
                const vs =
                    audit?.violations.filter(
                        (v) =>
                            clusterOfViolation(
                                v,
                                sd.map((x) => x.cluster),
                            ) === d.cluster,
                    ) ?? [];
                const m = vs.filter((v) => v.enforcementLevel === "mandatory").length;
                lines.push(
                    `| ${escapeCell(d.cluster)} | ${d.status} | ${d.added} | ${d.changed} | ${d.removed} | ${d.unchanged} | ${audit ? `${m} / ${vs.length - m}` : "–"} |`,
                );
            }
            lines.push("");
        } else {
            lines.push("No rendered manifests on either side.", "");
        }
        parts.push({ text: lines.join("\n") });
        for (const d of sd.filter((x) => x.changes.length)) {
            const body = d.changes
                .map((c) =>
                    [
                        `--- ${c.kind === "added" ? "/dev/null" : `base/${stack}/${d.cluster}/${c.file}`}`,
                        `+++ ${c.kind === "removed" ? "/dev/null" : `head/${stack}/${d.cluster}/${c.file}`}`,
                        ...c.diff,
                    ].join("\n"),
                )
                .join("\n");
            const n = body.split("\n").length;
            const title = `${escapeCell(d.cluster)}: ${d.added} added, ${d.changed} changed, ${d.removed} removed`;
            const block =
                n > collapseAfter
                    ? `<details><summary>${title} (${n} diff lines)</summary>\n\n${fence("diff", body)}\n\n</details>\n`
                    : `**${title}**\n\n${fence("diff", body)}\n`;
            parts.push({ text: block, diff: { cluster: d, lines: n } });
        }
        if (audit) {
            const lines2: string[] = [];
            if (audit.error)
                lines2.push(`Audit failed: ${escapeCell(audit.error.split("\n").pop() ?? audit.error)}`, "");
            if (audit.violations.length) {
                lines2.push("| level | policy | cluster | resource | message |", "|---|---|---|---|---|");
                for (const v of audit.violations) {
                    const res = v.resourceType
                        ? `\`${escapeCell(v.resourceType)}\` ${escapeCell(v.resourceName)}`
                        : "(stack)";
                    lines2.push(
                        `| ${v.enforcementLevel} | \`${escapeCell(v.rule)}\` | ${escapeCell(
                            clusterOfViolation(
                                v,
                                sd.map((x) => x.cluster),
                            ) ?? "–",
                        )} | ${res} | ${escapeCell(v.message)} |`,
                    );
                }
                lines2.push("");
            } else if (!audit.error) {
                lines2.push("No policy violations.", "");
            }
            parts.push({ text: lines2.join("\n") });
        }
    }
    const tail: string[] = [];
    if (input.previews?.length) tail.push(markdownSummary(input.previews));

    const assemble = (ps: Part[], note?: string) =>
        [...header, ...(note ? [note, ""] : []), ...ps.map((p) => p.text), ...tail].join("\n");
    let text = assemble(parts);
    if (text.length <= limit) return text;
    // Over budget: replace diffs by a note, the largest first, until it fits.
    const note =
        "> **Truncated:** the full manifest diff did not fit in one comment (GitHub allows 65536 characters); " +
        "some diffs below are replaced by a note, and the job's `pr-summary` artifact has all of them.";
    const order = parts
        .map((p, i) => ({ p, i }))
        .filter((x) => x.p.diff)
        .sort((a, b) => b.p.diff!.lines - a.p.diff!.lines || b.i - a.i);
    const current = [...parts];
    for (const { p, i } of order) {
        current[i] = { text: `**${escapeCell(p.diff!.cluster.cluster)}**: ${DIFF_OMITTED(p.diff!.lines)}\n` };
        text = assemble(current, note);
        if (text.length <= limit) return text;
    }
    // Still too long (very many stacks or violations): cut, and say so.
    const cut =
        "\n\n> **Truncated** here to stay under GitHub's comment size limit; see the job's `pr-summary` artifact.\n";
    return text.slice(0, limit - cut.length) + cut;
}

/** The full, untruncated diff (for the artifact). */
export function fullDiff(base: RenderTree, head: RenderTree): string {
    return prSummary({ base, head, collapseAfter: Number.MAX_SAFE_INTEGER, limit: Number.MAX_SAFE_INTEGER });
}

const USAGE = `usage: node --import tsx scripts/pr-summary.ts --base DIR --head DIR [--audit REPORT.json]
       [--preview STACK=PREVIEW.json[,EVENTS.jsonl]]... [--out FILE] [--full FILE]

The PR comment: per stack and cluster the objects added, changed and removed between two \`npm run render\`
trees and their manifest diff (collapsed when long), the head's policy results, and any engine preview.
Written to stdout, or --out; --full writes the untruncated diff too.

  --base DIR        the base branch's render tree
  --head DIR        the head's render tree
  --audit FILE      npm run audit's report.json of the head
  --preview S=P[,E] an engine preview of stack S (pulumi preview --json, and its --event-log)
  --out FILE        write the comment here instead of stdout
  --full FILE       write the untruncated diff here
  -h, --help        this text`;

function main(argv: string[]): number {
    if (argv.includes("-h") || argv.includes("--help")) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    let values: { base?: string; head?: string; audit?: string; preview?: string[]; out?: string; full?: string };
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                base: { type: "string" },
                head: { type: "string" },
                audit: { type: "string" },
                preview: { type: "string", multiple: true },
                out: { type: "string" },
                full: { type: "string" },
            },
        }));
        if (!values.base || !values.head) throw new Error("--base and --head are required");
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    const base = readRenderTree(values.base),
        head = readRenderTree(values.head);
    const previews = (values.preview ?? []).map((spec) => {
        const [name, files] = spec.split("=", 2) as [string, string | undefined];
        const [preview, events] = (files ?? "").split(",");
        return summarizePreview(
            name,
            fs.existsSync(preview ?? "") ? fs.readFileSync(preview!, "utf8") : "",
            events && fs.existsSync(events) ? fs.readFileSync(events, "utf8") : undefined,
        );
    });
    const audits =
        values.audit && fs.existsSync(values.audit)
            ? (
                  JSON.parse(fs.readFileSync(values.audit, "utf8")) as {
                      stacks: { stack: string; violations: Violation[]; error?: string }[];
                  }
              ).stacks
            : undefined;
    const text = prSummary({ base, head, audits, previews });
    if (values.full) fs.writeFileSync(values.full, fullDiff(base, head));
    if (values.out) fs.writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = main(process.argv.slice(2));
}
