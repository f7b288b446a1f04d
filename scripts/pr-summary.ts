/**
 * The PR check's Markdown summary: changes per cluster and policy violations, per stack.
 *
 *   node --import tsx scripts/pr-summary.ts --stack <name>=<preview.json>[,<events.jsonl>] ... > summary.md
 *
 * `<preview.json>` is the output of `pulumi preview --json`; `<events.jsonl>` the engine event log of the same
 * preview (`--event-log`, exposed by PULUMI_DEBUG_COMMANDS=true), from which policy violations are read.
 * A step is counted on the compute cluster whose ComputeCluster component it belongs to (walking up the parents),
 * or on `gateway` for the webhook gateway; components and providers are not counted. Exit status 0; the summary
 * says when a preview failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Violation, violationsFromEventLog } from "./audit.js";

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
        if (d.severity === "error" && !(mandatory && /^error: preview failed$/.test(d.message.trim()))) errors.push(d.message.trim());
    }
    return { stack, changes, violations, errors };
}

export function markdownSummary(previews: StackPreview[]): string {
    const out: string[] = ["# Pulumi preview", ""];
    for (const p of previews) {
        const mandatory = p.violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const status = mandatory ? `❌ ${mandatory} mandatory violation(s)` : p.errors.length ? "❌ preview failed" : "✅";
        out.push(`## Stack \`${p.stack}\` ${status}`, "");
        const clusters = Object.keys(p.changes).sort();
        if (clusters.length) {
            out.push("| cluster | create | update | replace | delete | unchanged |", "|---|---|---|---|---|---|");
            for (const c of clusters) {
                const n = (op: string) => String(p.changes[c]![op] ?? 0);
                out.push(`| ${c} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${n("same")} |`);
            }
            out.push("");
        }
        if (p.violations.length) {
            out.push("| level | policy | resource | message |", "|---|---|---|---|");
            for (const v of p.violations) {
                const res = v.resourceType ? `\`${v.resourceType}\` ${v.resourceName}` : "(stack)";
                out.push(`| ${v.enforcementLevel} | \`${v.rule}\` | ${res} | ${v.message.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ")} |`);
            }
            out.push("");
        } else {
            out.push("No policy violations.", "");
        }
        for (const e of p.errors) out.push("```", e.slice(-2000), "```", "");
    }
    return out.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const previews: StackPreview[] = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] !== "--stack") throw new Error(`unknown argument '${args[i]}' (expected --stack NAME=PREVIEW.json[,EVENTS.jsonl])`);
        const [name, files] = args[++i]!.split("=", 2) as [string, string];
        const [preview, events] = files.split(",");
        previews.push(summarizePreview(name, fs.readFileSync(preview!, "utf8"), events && fs.existsSync(events) ? fs.readFileSync(events, "utf8") : undefined));
    }
    process.stdout.write(markdownSummary(previews));
}
