/**
 * `npm run audit [-- --stack prod ...]`: run the policy pack over every stack and write
 * `audit/report.json`, `audit/report.md` and `audit/report.sarif`. Exit status 1 when any mandatory violation
 * is found (or a stack could not be previewed), 0 otherwise.
 *
 * No cluster access is needed: each stack is previewed in a scratch copy of the project with a throwaway local
 * backend and `PIPELINE_SERVICE_RENDER_DIR` set, which switches every kubernetes Provider to
 * `renderYamlToDirectory` (no credentials, no API calls). Policies see the same inputs as in a real preview.
 * The preview runs through the Automation API (scripts/lib/automation.ts: `.tools/bin/pulumi`, the engine's events
 * as objects); no CLI output is parsed. The policy config of a stack is `policy/config/<environment>.json`
 * (dev advisory, prod mandatory); `local` uses dev's. Options: --stack NAME (repeatable), --out DIR (default
 * audit/), --root DIR (another checkout), --policy-config FILE (one policy config for every stack), --keep (keep
 * scratch dirs). Each stack's engine events (`<stack>.events.jsonl`, one event per line as `--event-log` writes
 * them) and preview digest (`<stack>.preview.json`, the steps and diagnostics `pulumi preview --json` prints) land
 * in <out>/previews/ for scripts/pr-summary.ts.
 *
 * The reports:
 * - report.json: `{generatedAt, provenance, stacks: StackAudit[]}`; each stack lists its violations and the rules
 *   that passed; provenance is the git commit of the audited checkout, the policy pack's name and version and the
 *   Pulumi CLI version.
 * - report.md: the same as Markdown, every message escaped (placeholders such as `<repository>` stay visible).
 * - report.sarif: SARIF 2.1.0 (typed with @types/sarif) for GitHub code scanning: every rule of the pack with its
 *   description, help and fix; each result with the stack file as its location, a region at the stack-file line
 *   that drives it where the message names a config key found there, and a partial fingerprint that depends only
 *   on rule, resource and stack (see {@link fingerprint}).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type * as Sarif from "sarif";
import YAML, { isMap, isScalar, isSeq, LineCounter, type Document, type Node as YamlNode } from "yaml";
import { splitViolation } from "../policy/lib/report.js";
import { policies } from "../policy/rules/index.js";
import {
    commandFailure,
    createStack,
    eventLog,
    previewDigest,
    projectPulumi,
    type EngineEvent,
} from "./lib/automation.js";
import { escapeCell } from "./lib/markdown.js";
import { renderModeEnv, scratchCopy } from "./lib/scratch.js";
import { parseCli } from "./cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface Violation {
    stack: string;
    environment: string;
    rule: string;
    policyPack: string;
    enforcementLevel: string;
    /** URN of the resource, or "" for a stack-level rule. */
    urn: string;
    resourceType: string;
    resourceName: string;
    /** As the engine reports it: the policy's description, a newline, then the violation (problem, then fix). */
    message: string;
}

export interface StackAudit {
    stack: string;
    environment: string;
    policyConfig: string;
    resources: number;
    violations: Violation[];
    /** The pack's rules this stack's policy config enables that reported nothing (empty when the preview failed). */
    passed: string[];
    /** Exit status of `pulumi preview` (non-zero on a mandatory violation). */
    exitCode: number;
    /** Set when the preview itself failed for a reason other than policy violations. */
    error?: string;
    /** The policy pack versions the engine ran (its summary event), e.g. `{"pipeline-service": "0.1.0"}`. */
    policyPacks?: Record<string, string>;
}

/** Where a report came from. */
export interface Provenance {
    /** `git rev-parse HEAD` of the audited checkout; null when it is not a git checkout (a scratch copy). */
    gitCommit: string | null;
    /** Whether tracked files differ from that commit; null without git. */
    gitDirty: boolean | null;
    policyPack: { name: string; version: string };
    /** `pulumi version` of the CLI that ran the previews, without the `v`. */
    pulumiCli: string | null;
}

interface PolicyEvent {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    enforcementLevel: string;
}

/** `<type>::<name>` parts of a URN. */
export function urnParts(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts[3] ?? "" };
}

/** Policy violations from engine events (what the Automation API hands `onEvent`). */
export function violationsFromEvents(
    events: { policyEvent?: PolicyEvent }[],
    stack: string,
    environment: string,
): Violation[] {
    const out: Violation[] = [];
    for (const ev of events) {
        const p = ev.policyEvent;
        if (!p) continue;
        const { type, name } = urnParts(p.resourceUrn ?? "");
        out.push({
            stack,
            environment,
            rule: p.policyName,
            policyPack: p.policyPackName,
            enforcementLevel: p.enforcementLevel,
            urn: p.resourceUrn ?? "",
            resourceType: type,
            resourceName: name,
            message: p.message.replace(/\x1b\[[0-9;]*m/g, "").trim(),
        });
    }
    return out;
}

/** Policy violations from a Pulumi engine event log (one JSON event per line, as `--event-log` writes it). */
export function violationsFromEventLog(text: string, stack: string, environment: string): Violation[] {
    const events: { policyEvent?: PolicyEvent }[] = [];
    for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
            events.push(JSON.parse(line));
        } catch {
            continue;
        }
    }
    return violationsFromEvents(events, stack, environment);
}

/** The scratch copy and render-mode environment live in scripts/lib/scratch.ts (shared with `npm run render`). */
export { scratchCopy };

// ---------------------------------------------------------------------------------------------------------------
// The pack's rules and a policy config

/** Every rule of the pack (policy/rules/index.ts): name and description. */
export const RULES: { name: string; description: string }[] = policies.map((p) => ({
    name: p.name,
    description: p.description,
}));

/**
 * The rules a policy config leaves enabled: every rule of the pack unless its level (`"<rule>": "disabled"` or
 * `{"enforcementLevel": "disabled"}`, else the `all` entry) is `disabled`. An unreadable file enables every rule.
 */
export function enabledRules(policyConfigFile: string, rules: string[] = RULES.map((r) => r.name)): string[] {
    let cfg: Record<string, unknown> = {};
    try {
        cfg = JSON.parse(fs.readFileSync(policyConfigFile, "utf8")) as Record<string, unknown>;
    } catch {
        /* every rule */
    }
    const level = (v: unknown): string | undefined =>
        typeof v === "string"
            ? v
            : typeof (v as { enforcementLevel?: unknown })?.enforcementLevel === "string"
              ? (v as { enforcementLevel: string }).enforcementLevel
              : undefined;
    const all = level(cfg.all);
    return rules.filter((r) => (level(cfg[r]) ?? all) !== "disabled");
}

// ---------------------------------------------------------------------------------------------------------------
// Running one stack

/** Preview one stack with the pack in a scratch copy of the project, through the Automation API. */
export async function auditStack(
    stack: string,
    opts: { keep?: boolean; root?: string; policyConfig?: string; saveTo?: string } = {},
): Promise<StackAudit> {
    const root = opts.root ?? ROOT;
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    const environment = String(doc.config?.["pipeline-service:environment"] ?? stack);
    const policyEnv = fs.existsSync(path.join(root, "policy", "config", `${environment}.json`)) ? environment : "dev";
    const policyConfig = opts.policyConfig
        ? path.resolve(opts.policyConfig)
        : path.join(root, "policy", "config", `${policyEnv}.json`);
    const base = {
        stack,
        environment,
        policyConfig: path.relative(root, policyConfig),
        resources: 0,
        violations: [] as Violation[],
        passed: [] as string[],
    };

    const scratch = scratchCopy(root, `audit-${stack}`);
    const env = renderModeEnv(scratch);
    try {
        let s;
        try {
            s = await createStack(stack, scratch, env);
        } catch (e) {
            const f = commandFailure(e);
            return { ...base, exitCode: f.code, error: (f.stderr || f.message).trim() };
        }
        const events: EngineEvent[] = [];
        let failure: ReturnType<typeof commandFailure> | undefined;
        try {
            await s.preview({
                policyPacks: [path.join(scratch, "policy")],
                policyPackConfigs: [policyConfig],
                color: "never",
                onEvent: (e) => events.push(e),
            });
        } catch (e) {
            failure = commandFailure(e);
        }
        const digest = previewDigest(events);
        if (opts.saveTo) {
            // The engine's events and the preview digest, for scripts/pr-summary.ts.
            fs.mkdirSync(opts.saveTo, { recursive: true });
            fs.writeFileSync(path.join(opts.saveTo, `${stack}.preview.json`), JSON.stringify(digest, null, 2));
            fs.writeFileSync(path.join(opts.saveTo, `${stack}.events.jsonl`), eventLog(events));
        }
        const violations = violationsFromEvents(events, stack, environment);
        const exitCode = failure?.code ?? 0;
        const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");
        const error =
            failure && !mandatory
                ? `pulumi preview exited ${exitCode}: ${(failure.stderr || failure.stdout || failure.message).trim().slice(-2000)}`
                : undefined;
        const violated = new Set(violations.map((v) => v.rule));
        const passed = error ? [] : enabledRules(policyConfig).filter((r) => !violated.has(r));
        const policyPacks = events.find((e) => e.summaryEvent)?.summaryEvent?.policyPacks;
        return {
            ...base,
            resources: digest.steps.length,
            violations,
            passed,
            exitCode,
            error,
            ...(policyPacks ? { policyPacks } : {}),
        };
    } finally {
        if (!opts.keep) fs.rmSync(scratch, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Provenance

/** The policy pack's name and version, from `<root>/policy/package.json` (or this checkout's). */
export function packVersion(root = ROOT): { name: string; version: string } {
    for (const r of [root, ROOT]) {
        try {
            const pkg = JSON.parse(fs.readFileSync(path.join(r, "policy", "package.json"), "utf8")) as {
                version?: string;
            };
            if (pkg.version) return { name: "pipeline-service", version: pkg.version };
        } catch {
            /* the next one */
        }
    }
    return { name: "pipeline-service", version: "unknown" };
}

/** Provenance of an audit of `root` run with the CLI version `pulumiCli`. */
export function provenance(root: string, pulumiCli: string | null, audits: StackAudit[] = []): Provenance {
    const git = (...args: string[]): string | null => {
        try {
            // Only this checkout's own repository: a scratch copy inside no repository gets null, not a parent's commit.
            if (!fs.existsSync(path.join(root, ".git"))) return null;
            return execFileSync("git", ["-C", root, ...args], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }).trim();
        } catch {
            return null;
        }
    };
    const gitCommit = git("rev-parse", "HEAD");
    const status = gitCommit ? git("status", "--porcelain", "--untracked-files=no") : null;
    const pack = packVersion(root);
    // The version the engine reports having run wins over package.json.
    const ran = audits.map((a) => a.policyPacks?.[pack.name]).find((v) => v);
    return {
        gitCommit,
        gitDirty: status === null ? null : status !== "",
        policyPack: { ...pack, version: ran ?? pack.version },
        pulumiCli,
    };
}

function provenanceLine(p: Provenance): string {
    const commit = p.gitCommit
        ? `commit \`${p.gitCommit}\`${p.gitDirty ? " with uncommitted changes" : ""}`
        : "no git commit (not a git checkout)";
    return `Audited ${commit}, policy pack \`${escapeCell(p.policyPack.name)}\` ${escapeCell(p.policyPack.version)}, Pulumi CLI ${escapeCell(p.pulumiCli ?? "unknown")}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** The overview table: one row per stack. */
export function markdownTable(audits: StackAudit[]): string[] {
    const lines = [
        "| stack | environment | policy config | resources | mandatory | advisory | status |",
        "|---|---|---|---|---|---|---|",
    ];
    for (const a of audits) {
        const m = a.violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const adv = a.violations.length - m;
        lines.push(
            `| ${escapeCell(a.stack)} | ${escapeCell(a.environment)} | \`${a.policyConfig}\` | ${a.resources} | ${m} | ${adv} | ${a.error ? "error" : m ? "fail" : "pass"} |`,
        );
    }
    return lines;
}

/** report.md: provenance, the overview, and per stack its violations (escaped) and the rules that passed. */
export function markdown(audits: StackAudit[], prov?: Provenance): string {
    const lines = ["# Policy audit", ""];
    if (prov) lines.push(provenanceLine(prov), "");
    lines.push(...markdownTable(audits));
    for (const a of audits) {
        lines.push("", `## ${escapeCell(a.stack)}`, "");
        if (a.error) lines.push(`Preview failed: ${escapeCell(a.error.split("\n").pop() ?? a.error)}`, "");
        if (!a.violations.length) {
            lines.push("No violations.");
        } else {
            lines.push("| level | rule | resource | message |", "|---|---|---|---|");
            for (const v of a.violations) {
                lines.push(
                    `| ${v.enforcementLevel} | \`${v.rule}\` | ${v.resourceType ? `\`${v.resourceType}\` ${escapeCell(v.resourceName)}` : "(stack)"} | ${escapeCell(v.message)} |`,
                );
            }
        }
        if (!a.error) {
            lines.push(
                "",
                a.passed.length
                    ? `Rules that passed (${a.passed.length}): ${a.passed.map((r) => `\`${r}\``).join(", ")}.`
                    : "No rule passed.",
            );
        }
    }
    return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------
// Stack-file positions

/**
 * A stack file with source positions (the `yaml` package's CST ranges and a LineCounter), to point a result at the
 * line that sets a config key.
 */
export class StackFile {
    readonly doc: Document.Parsed;
    private readonly lines = new LineCounter();

    constructor(readonly text: string) {
        this.doc = YAML.parseDocument(text, { lineCounter: this.lines });
    }

    /** The names of `pipeline-service:clusters[].name`, in order. */
    clusters(): string[] {
        const seq = this.doc.getIn(["config", "pipeline-service:clusters"], true);
        if (!isSeq(seq)) return [];
        return seq.items.map((c) => (isMap(c) ? String(c.get("name") ?? "") : ""));
    }

    /**
     * The region of the entry at `keyPath` under `config` (map keys and sequence indices): from its key to the end
     * of its value when the value is a scalar, else its key's line. Undefined when the file does not set it.
     */
    region(keyPath: (string | number)[]): Sarif.Region | undefined {
        let node: unknown = this.doc.contents;
        let key: YamlNode | undefined;
        for (const seg of ["config", ...keyPath]) {
            if (typeof seg === "number") {
                if (!isSeq(node) || seg >= node.items.length) return undefined;
                node = node.items[seg];
                key = undefined;
            } else {
                if (!isMap(node)) return undefined;
                const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
                if (!pair) return undefined;
                key = pair.key as YamlNode;
                node = pair.value;
            }
        }
        const value = node as YamlNode | null;
        const start = key?.range?.[0] ?? value?.range?.[0];
        if (start === undefined) return undefined;
        let end = isScalar(value) && value.range ? value.range[1] : (key?.range?.[1] ?? value?.range?.[1] ?? start);
        const eol = this.text.indexOf("\n", start);
        if (!isScalar(value) && eol >= 0) end = Math.min(end, eol);
        const s = this.lines.linePos(start),
            e = this.lines.linePos(end);
        return { startLine: s.line, startColumn: s.col, endLine: e.line, endColumn: e.col };
    }
}

/** `pipeline-service:<path>` keys a message names, in order (e.g. `osp.catalog.image`, `clusters[1].name`). */
export function configKeysIn(text: string): string[] {
    return [...text.matchAll(/pipeline-service:([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*)/g)].map(
        (m) => m[1]!,
    );
}

/** `a.b[2].c` → `["a", "b", 2, "c"]`. */
export function keyPath(key: string): (string | number)[] {
    return [...key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** The cluster a violation belongs to: the longest cluster name its resource name is or starts with. */
export function clusterOfViolation(v: Pick<Violation, "resourceName">, clusters: string[]): string | undefined {
    return [...clusters]
        .filter(Boolean)
        .sort((a, b) => b.length - a.length)
        .find((c) => v.resourceName === c || v.resourceName.startsWith(`${c}-`));
}

/**
 * The stack-file entry that drives a violation: the first `pipeline-service:` key its fix (then its problem) names
 * that the file sets, looked up first in the violating cluster's `overrides`, then at the top level.
 */
export function drivingEntry(v: Violation, file: StackFile): { key: string; region: Sarif.Region } | undefined {
    const { problem, fix } = splitViolation(violationText(v));
    const clusters = file.clusters();
    const cluster = clusterOfViolation(v, clusters);
    const index = cluster ? clusters.indexOf(cluster) : -1;
    for (const key of [...configKeysIn(fix ?? ""), ...configKeysIn(problem)]) {
        const p = keyPath(key);
        const [head, ...rest] = p;
        if (typeof head !== "string") continue;
        if (index >= 0 && head !== "clusters") {
            const region = file.region(["pipeline-service:clusters", index, "overrides", ...p]);
            if (region) return { key: `pipeline-service:clusters[${index}].overrides.${key}`, region };
        }
        const region = file.region([`pipeline-service:${head}`, ...rest]);
        if (region) return { key: `pipeline-service:${key}`, region };
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// SARIF

/** The violation without the description the policy runtime puts first (its problem and fix). */
export function violationText(v: Violation): string {
    const description = RULES.find((r) => r.name === v.rule)?.description;
    if (description && v.message.startsWith(description))
        return v.message.slice(description.length).trim() || v.message;
    const nl = v.message.indexOf("\n");
    return nl >= 0 ? v.message.slice(nl + 1).trim() : v.message;
}

/** The key of {@link fingerprint} in `partialFingerprints`. */
export const FINGERPRINT_KEY = "pipelineServicePolicy/v1";

/**
 * A result's partial fingerprint: SHA-256 over rule, resource (URN, or `stack:<stack>` for a stack-level rule),
 * stack and the result's ordinal among those with the same three (a rule can report one resource twice). No line
 * number or message text goes in, so an edit elsewhere in the stack file or a reworded message keeps the alert.
 */
export function fingerprint(v: Pick<Violation, "rule" | "urn" | "stack">, ordinal = 0): string {
    return createHash("sha256")
        .update([v.rule, v.urn || `stack:${v.stack}`, v.stack, String(ordinal)].join("\0"))
        .digest("hex");
}

function firstSentence(text: string): string {
    return /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
}

/** SARIF 2.1.0: one run for the pack; mandatory → error, advisory → warning. */
export function sarif(audits: StackAudit[], opts: { root?: string; provenance?: Provenance } = {}): Sarif.Log {
    const root = opts.root ?? ROOT;
    const all = audits.flatMap((a) => a.violations);
    // The pack's rules, and any other rule id a result names (another checkout's pack).
    const ids = [...new Set([...RULES.map((r) => r.name), ...all.map((v) => v.rule)])].sort();
    const files = new Map<string, StackFile | undefined>();
    const stackFile = (stack: string): StackFile | undefined => {
        if (!files.has(stack)) {
            const f = path.join(root, `Pulumi.${stack}.yaml`);
            files.set(stack, fs.existsSync(f) ? new StackFile(fs.readFileSync(f, "utf8")) : undefined);
        }
        return files.get(stack);
    };
    const rules: Sarif.ReportingDescriptor[] = ids.map((id) => {
        const description = RULES.find((r) => r.name === id)?.description ?? id;
        const fixes = [
            ...new Set(
                all
                    .filter((v) => v.rule === id)
                    .map((v) => splitViolation(violationText(v)).fix)
                    .filter((f): f is string => !!f),
            ),
        ];
        const helpText = [
            description,
            ...(fixes.length ? ["", "How to fix:", ...fixes.map((f) => `- ${f}`)] : []),
        ].join("\n");
        const helpMarkdown = [
            escapeCell(description),
            ...(fixes.length ? ["", "**How to fix:**", "", ...fixes.map((f) => `- ${escapeCell(f)}`)] : []),
        ].join("\n");
        return {
            id,
            name: id,
            shortDescription: { text: firstSentence(description) },
            fullDescription: { text: description },
            help: { text: helpText, markdown: helpMarkdown },
            defaultConfiguration: { level: "warning" },
            properties: { tags: ["pulumi-policy", "pipeline-service"] },
        };
    });
    const ordinals = new Map<string, number>();
    const results: Sarif.Result[] = all.map((v) => {
        const text = violationText(v);
        const { fix } = splitViolation(text);
        const same = `${v.rule}\0${v.urn}\0${v.stack}`;
        const ordinal = ordinals.get(same) ?? 0;
        ordinals.set(same, ordinal + 1);
        const file = stackFile(v.stack);
        const driving = file ? drivingEntry(v, file) : undefined;
        return {
            ruleId: v.rule,
            ruleIndex: ids.indexOf(v.rule),
            kind: "fail",
            level: v.enforcementLevel === "mandatory" ? "error" : "warning",
            message: { text },
            locations: [
                {
                    physicalLocation: {
                        artifactLocation: { uri: `Pulumi.${v.stack}.yaml` },
                        ...(driving ? { region: driving.region } : {}),
                    },
                    logicalLocations: [
                        {
                            fullyQualifiedName: v.urn || `stack:${v.stack}`,
                            kind: "resource",
                            name: v.resourceName || v.stack,
                        },
                    ],
                },
            ],
            partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(v, ordinal) },
            properties: {
                stack: v.stack,
                environment: v.environment,
                enforcementLevel: v.enforcementLevel,
                resourceType: v.resourceType,
                ...(fix ? { fix } : {}),
                ...(driving ? { configKey: driving.key } : {}),
            },
        };
    });
    const prov = opts.provenance;
    const errors = audits.filter((a) => a.error);
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "pipeline-service-policy",
                        informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/",
                        ...(prov ? { version: prov.policyPack.version } : {}),
                        rules,
                    },
                },
                invocations: [
                    {
                        executionSuccessful: errors.length === 0,
                        toolExecutionNotifications: errors.map((a) => ({
                            level: "error" as const,
                            message: { text: `stack ${a.stack}: ${a.error}` },
                        })),
                    },
                ],
                results,
                properties: {
                    ...(prov ? { provenance: prov } : {}),
                    stacks: audits.map((a) => ({
                        stack: a.stack,
                        environment: a.environment,
                        policyConfig: a.policyConfig,
                        passed: a.passed,
                    })),
                },
            },
        ],
    };
}

const USAGE = `usage: npm run audit [-- [--stack NAME]... [--out DIR] [--root DIR] [--policy-config FILE] [--keep]]

Previews every stack (or each --stack) with the policy pack in render mode (no cluster access) and writes
report.json, report.md and report.sarif. Exit status 1 on any mandatory violation or failed preview.

  --stack NAME          a stack to audit (repeatable; default: every Pulumi.<stack>.yaml)
  --out DIR             where the reports go (default: audit/)
  --root DIR            the checkout to audit (default: this one)
  --policy-config FILE  a policy config instead of policy/config/<environment>.json
  --keep                keep the scratch copies
  -h, --help            this text`;

async function main(): Promise<void> {
    const { values } = parseCli({
        usage: USAGE,
        options: {
            stack: { type: "string", multiple: true },
            out: { type: "string" },
            root: { type: "string" },
            "policy-config": { type: "string" },
            keep: { type: "boolean" },
        },
    });
    const stacks: string[] = [...(values.stack ?? [])];
    const root = values.root ? path.resolve(values.root) : ROOT;
    const out = values.out ? path.resolve(values.out) : path.join(ROOT, "audit");
    const keep = values.keep ?? false;
    const policyConfig = values["policy-config"] ? path.resolve(values["policy-config"]) : undefined;
    if (!stacks.length) {
        for (const f of fs.readdirSync(root).sort()) {
            const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
            if (m) stacks.push(m[1]!);
        }
    }
    const cli = await projectPulumi();
    const audits: StackAudit[] = [];
    for (const s of stacks) {
        process.stderr.write(`audit: previewing stack ${s} with the policy pack ...\n`);
        audits.push(await auditStack(s, { keep, root, policyConfig, saveTo: path.join(out, "previews") }));
    }
    const prov = provenance(root, cli.version?.toString() ?? null, audits);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(
        path.join(out, "report.json"),
        JSON.stringify({ generatedAt: new Date().toISOString(), provenance: prov, stacks: audits }, null, 2),
    );
    fs.writeFileSync(path.join(out, "report.md"), markdown(audits, prov));
    fs.writeFileSync(
        path.join(out, "report.sarif"),
        JSON.stringify(sarif(audits, { root, provenance: prov }), null, 2),
    );
    process.stdout.write(`${provenanceLine(prov)}\n\n${markdownTable(audits).join("\n")}\n`);
    const mandatory = audits.flatMap((a) => a.violations).filter((v) => v.enforcementLevel === "mandatory");
    const errors = audits.filter((a) => a.error);
    for (const e of errors) process.stderr.write(`audit: stack ${e.stack}: ${e.error}\n`);
    process.stderr.write(
        `audit: ${mandatory.length} mandatory violation(s), reports in ${path.relative(process.cwd(), out) || out}/\n`,
    );
    process.exitCode = mandatory.length || errors.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    await main();
}
