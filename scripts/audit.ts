/**
 * `npm run audit [-- --stack prod ...]`: run the policy pack over every stack and write
 * `audit/report.json`, `audit/report.md` and `audit/report.sarif`. Exit status 1 when any mandatory violation
 * is found (or a stack could not be previewed), 0 otherwise.
 *
 * No cluster access is needed: each stack is previewed in a scratch copy of the project with a throwaway local
 * backend and `PIPELINE_SERVICE_RENDER_DIR` set, which switches every kubernetes Provider to
 * `renderYamlToDirectory` (no credentials, no API calls). Policies see the same inputs as in a real preview.
 * The policy config of a stack is `policy/config/<environment>.json` (dev advisory, prod mandatory); `local`
 * uses dev's. Options: --stack NAME (repeatable), --out DIR (default audit/), --root DIR (another checkout),
 * --policy-config FILE (one policy config for every stack), --keep (keep scratch dirs). The raw previews and
 * event logs land in <out>/previews/ for scripts/pr-summary.ts.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

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
    message: string;
}

export interface StackAudit {
    stack: string;
    environment: string;
    policyConfig: string;
    resources: number;
    violations: Violation[];
    /** Exit status of `pulumi preview` (non-zero on a mandatory violation). */
    exitCode: number;
    /** Set when the preview itself failed for a reason other than policy violations. */
    error?: string;
}

interface PolicyEvent {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    enforcementLevel: string;
}

function sh(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(cmd, args, { ...opts, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** `<type>::<name>` parts of a URN. */
export function urnParts(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts[3] ?? "" };
}

/** Policy violations from a Pulumi engine event log (one JSON event per line). */
export function violationsFromEventLog(text: string, stack: string, environment: string): Violation[] {
    const out: Violation[] = [];
    for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        let ev: { policyEvent?: PolicyEvent };
        try {
            ev = JSON.parse(line);
        } catch {
            continue;
        }
        const p = ev.policyEvent;
        if (!p) continue;
        const { type, name } = urnParts(p.resourceUrn ?? "");
        out.push({
            stack, environment,
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

/** Local state a scratch copy must not share with the checkout it comes from. */
const LOCAL_STATE = new Set(["node_modules", ".tools", ".local", ".pulumi-state", ".pulumi-home", ".git", "audit", "bench"]);

/**
 * A scratch copy of a checkout in the temp dir (sources, stack files, policy pack), sharing the checkout's
 * node_modules but none of its local state (control plane, backend, plugin cache, reports). Returns its path.
 */
export function scratchCopy(root: string, label: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pipeline-service-${label}-`));
    for (const entry of fs.readdirSync(root)) {
        if (!LOCAL_STATE.has(entry)) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** Preview one stack with the pack in a scratch copy of the project. */
export async function auditStack(stack: string,
    opts: { keep?: boolean; root?: string; policyConfig?: string; saveTo?: string } = {}): Promise<StackAudit> {
    const root = opts.root ?? ROOT;
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    const environment = String(doc.config?.["pipeline-service:environment"] ?? stack);
    const policyEnv = fs.existsSync(path.join(root, "policy", "config", `${environment}.json`)) ? environment : "dev";
    const policyConfig = opts.policyConfig ? path.resolve(opts.policyConfig) : path.join(root, "policy", "config", `${policyEnv}.json`);

    const scratch = scratchCopy(root, `audit-${stack}`);
    fs.mkdirSync(path.join(scratch, ".state"));
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${path.join(scratch, ".state")}`,
        // The plugin cache npm run tools filled (this checkout's), also when auditing another --root.
        PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(ROOT, ".pulumi-home"),
        // A throwaway backend: the stack's own secrets provider is not needed, because render mode reads no
        // credentials. Stacks with encrypted values would need their passphrase in PULUMI_CONFIG_PASSPHRASE.
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PIPELINE_SERVICE_RENDER_DIR: path.join(scratch, ".rendered"),
        NO_COLOR: "1",
        // Exposes `--event-log` (structured engine events, as the Automation API reads them) in pulumi 3.163.
        PULUMI_DEBUG_COMMANDS: "true",
    };
    try {
        const init = await sh("pulumi", ["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"], { cwd: scratch, env });
        if (init.code !== 0) return { stack, environment, policyConfig, resources: 0, violations: [], exitCode: init.code, error: init.stderr.trim() };
        const events = path.join(scratch, "events.jsonl");
        const r = await sh("pulumi", ["preview", "--stack", stack, "--non-interactive", "--policy-pack", path.join(scratch, "policy"),
            "--policy-pack-config", policyConfig, "--event-log", events, "--json"],
            { cwd: scratch, env });
        const log = fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "";
        if (opts.saveTo) {
            // The raw preview and event log, for scripts/pr-summary.ts.
            fs.mkdirSync(opts.saveTo, { recursive: true });
            fs.writeFileSync(path.join(opts.saveTo, `${stack}.preview.json`), r.stdout);
            fs.writeFileSync(path.join(opts.saveTo, `${stack}.events.jsonl`), log);
        }
        const violations = violationsFromEventLog(log, stack, environment);
        let resources = 0;
        try {
            resources = (JSON.parse(r.stdout) as { steps?: unknown[] }).steps?.length ?? 0;
        } catch {
            /* a failed preview prints no JSON */
        }
        const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");
        const error = r.code !== 0 && !mandatory ? `pulumi preview exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-2000)}` : undefined;
        return { stack, environment, policyConfig: path.relative(root, policyConfig), resources, violations, exitCode: r.code, error };
    } finally {
        if (!opts.keep) fs.rmSync(scratch, { recursive: true, force: true });
    }
}

export function markdown(audits: StackAudit[]): string {
    const lines = ["# Policy audit", "", "| stack | environment | policy config | resources | mandatory | advisory | status |", "|---|---|---|---|---|---|---|"];
    for (const a of audits) {
        const m = a.violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const adv = a.violations.length - m;
        lines.push(`| ${a.stack} | ${a.environment} | \`${a.policyConfig}\` | ${a.resources} | ${m} | ${adv} | ${a.error ? "error" : m ? "fail" : "pass"} |`);
    }
    for (const a of audits) {
        lines.push("", `## ${a.stack}`, "");
        if (a.error) lines.push(`Preview failed: \`${a.error.split("\n").pop()}\``, "");
        if (!a.violations.length) {
            lines.push("No violations.");
            continue;
        }
        lines.push("| level | rule | resource | message |", "|---|---|---|---|");
        for (const v of a.violations) {
            lines.push(`| ${v.enforcementLevel} | \`${v.rule}\` | ${v.resourceType ? `\`${v.resourceType}\` ${v.resourceName}` : "(stack)"} | ${v.message.replace(/\|/g, "\\|").replace(/\n+/g, " ")} |`);
        }
    }
    return lines.join("\n") + "\n";
}

/** SARIF 2.1.0: one run for the pack; mandatory → error, advisory → warning. */
export function sarif(audits: StackAudit[]): object {
    const all = audits.flatMap((a) => a.violations);
    const rules = [...new Set(all.map((v) => v.rule))].sort();
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [{
            tool: { driver: { name: "pipeline-service-policy", informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/", rules: rules.map((id) => ({ id, name: id, shortDescription: { text: id } })) } },
            results: all.map((v) => ({
                ruleId: v.rule,
                level: v.enforcementLevel === "mandatory" ? "error" : "warning",
                message: { text: v.message },
                locations: [{
                    physicalLocation: { artifactLocation: { uri: `Pulumi.${v.stack}.yaml` } },
                    logicalLocations: [{ fullyQualifiedName: v.urn || `stack:${v.stack}`, kind: "resource", name: v.resourceName || v.stack }],
                }],
                properties: { stack: v.stack, environment: v.environment, resourceType: v.resourceType },
            })),
        }],
    };
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const stacks: string[] = [];
    let root = ROOT;
    let out = path.join(ROOT, "audit");
    let keep = false;
    let policyConfig: string | undefined;
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--stack") stacks.push(args[++i]!);
        else if (args[i] === "--out") out = path.resolve(args[++i]!);
        else if (args[i] === "--root") root = path.resolve(args[++i]!);
        else if (args[i] === "--policy-config") policyConfig = path.resolve(args[++i]!);
        else if (args[i] === "--keep") keep = true;
        else throw new Error(`unknown argument '${args[i]}' (expected --stack NAME, --out DIR, --root DIR, --policy-config FILE, --keep)`);
    }
    if (!stacks.length) {
        for (const f of fs.readdirSync(root).sort()) {
            const m = /^Pulumi\.(.+)\.yaml$/.exec(f);
            if (m) stacks.push(m[1]!);
        }
    }
    const audits: StackAudit[] = [];
    for (const s of stacks) {
        process.stderr.write(`audit: previewing stack ${s} with the policy pack ...\n`);
        audits.push(await auditStack(s, { keep, root, policyConfig, saveTo: path.join(out, "previews") }));
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "report.json"), JSON.stringify({ generatedAt: new Date().toISOString(), stacks: audits }, null, 2));
    fs.writeFileSync(path.join(out, "report.md"), markdown(audits));
    fs.writeFileSync(path.join(out, "report.sarif"), JSON.stringify(sarif(audits), null, 2));
    process.stdout.write(markdown(audits).split("\n").slice(0, 3 + audits.length + 1).join("\n") + "\n");
    const mandatory = audits.flatMap((a) => a.violations).filter((v) => v.enforcementLevel === "mandatory");
    const errors = audits.filter((a) => a.error);
    for (const e of errors) process.stderr.write(`audit: stack ${e.stack}: ${e.error}\n`);
    process.stderr.write(`audit: ${mandatory.length} mandatory violation(s), reports in ${path.relative(process.cwd(), out) || out}/\n`);
    process.exitCode = mandatory.length || errors.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    await main();
}
