/**
 * The policy pack with the real CLI, without cluster access (render mode): a config that breaks the catalog
 * digest pin and the PaC app name fails under the prod policy config naming exactly those rules; `npm run audit`
 * over a broken prod exits non-zero and its reports name the rule and the resource; the PR summary is made from
 * the same real preview output.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { auditStack, scratchCopy } from "../../scripts/audit.js";
import { markdownSummary, summarizePreview } from "../../scripts/pr-summary.js";
import { ROOT } from "./harness.js";

const env = { ...process.env, PATH: `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}` };
process.env.PATH = env.PATH;

/** A scratch copy of the stack files, policy and sources with one stack file edited. */
function copyWith(stack: string, edit: (config: Record<string, unknown>) => void, from = "prod"): string {
    const dir = scratchCopy(ROOT, "policy");
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8"));
    edit(doc.config);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
    return dir;
}

test("a config that breaks the catalog digest pin and the PaC app name fails under prod.json, naming exactly those", async (t) => {
    // prod's values, as a dev stack (where the config layer lets the catalog follow a tag), with a wrong App name.
    const dir = copyWith("broken", (c) => {
        c["pipeline-service:environment"] = "dev";
        c["pipeline-service:githubAppName"] = "Red Hat Konflux (staging copy)";
        (c["pipeline-service:osp"] as { catalog: { image: string } }).catalog.image =
            "quay.io/openshift-pipeline/openshift-pipelines-pipelines-operator-bundle-container-index:v4.14-candidate";
    });
    try {
        const a = await auditStack("broken", { root: dir, policyConfig: path.join(ROOT, "policy", "config", "prod.json") });
        t.is(a.error, undefined, a.error);
        t.not(a.exitCode, 0, "the preview fails");
        t.deepEqual([...new Set(a.violations.map((v) => v.rule))].sort(), ["catalog-source-grpc-digest-pinned", "pac-settings-match-github-app"]);
        t.true(a.violations.every((v) => v.enforcementLevel === "mandatory"));
        // Every cluster's CatalogSource and TektonConfig, except the internal cluster whose own App name is right.
        const resources = [...new Set(a.violations.map((v) => `${v.rule} ${v.resourceName}`))].sort();
        t.deepEqual(resources, [
            "catalog-source-grpc-digest-pinned stone-prd-m01-osp-catalog",
            "catalog-source-grpc-digest-pinned stone-prd-rh01-osp-catalog",
            "catalog-source-grpc-digest-pinned stone-prod-p01-osp-catalog",
            "pac-settings-match-github-app stone-prd-m01-osp-tektonconfig",
            "pac-settings-match-github-app stone-prd-rh01-osp-tektonconfig",
        ]);
        // The same config under dev.json only warns.
        const dev = await auditStack("broken", { root: dir, policyConfig: path.join(ROOT, "policy", "config", "dev.json") });
        t.is(dev.exitCode, 0);
        t.true(dev.violations.some((v) => v.rule === "catalog-source-grpc-digest-pinned" && v.enforcementLevel === "advisory"));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("npm run audit over a broken prod exits non-zero and names the rule and the resource in all three reports", async (t) => {
    const dir = copyWith("prod", (c) => {
        c["pipeline-service:githubAppName"] = "Konflux";
    });
    const out = path.join(dir, "audit");
    try {
        const code = await new Promise<number>((resolve) => {
            execFile("node", ["--import", "tsx", path.join(ROOT, "scripts", "audit.ts"), "--root", dir, "--out", out, "--stack", "prod", "--stack", "dev"],
                { env, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err) => resolve(err ? (err as { code?: number }).code ?? 1 : 0));
        });
        t.is(code, 1);
        const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
        const prod = report.stacks.find((s: { stack: string }) => s.stack === "prod");
        t.true(prod.violations.some((v: { rule: string; resourceName: string; enforcementLevel: string }) =>
            v.rule === "pac-settings-match-github-app" && v.resourceName === "stone-prd-rh01-osp-tektonconfig" && v.enforcementLevel === "mandatory"));
        const dev = report.stacks.find((s: { stack: string }) => s.stack === "dev");
        t.deepEqual(dev.violations, [], "the untouched dev stack is clean");
        const md = fs.readFileSync(path.join(out, "report.md"), "utf8");
        t.regex(md, /\| mandatory \| `pac-settings-match-github-app` \| `kubernetes:operator\.tekton\.dev\/v1alpha1:TektonConfig` stone-prd-rh01-osp-tektonconfig \|/);
        const sarif = JSON.parse(fs.readFileSync(path.join(out, "report.sarif"), "utf8"));
        t.is(sarif.version, "2.1.0");
        const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "pac-settings-match-github-app");
        t.is(result.level, "error");
        t.regex(result.locations[0].logicalLocations[0].fullyQualifiedName, /TektonConfig::stone-prd-rh01-osp-tektonconfig$/);

        // The PR summary, from the real preview JSON and event log the audit kept.
        const summary = markdownSummary(["prod", "dev"].map((s) => summarizePreview(s,
            fs.readFileSync(path.join(out, "previews", `${s}.preview.json`), "utf8"),
            fs.readFileSync(path.join(out, "previews", `${s}.events.jsonl`), "utf8"))));
        t.regex(summary, /## Stack `prod` ❌ \d+ mandatory violation\(s\)/);
        t.regex(summary, /\| stone-prd-rh01 \| 37 \| 0 \| 0 \| 0 \| 0 \|/);
        t.regex(summary, /\| gateway \| 5 \| 0 \| 0 \| 0 \| 0 \|/);
        t.regex(summary, /\| mandatory \| `pac-settings-match-github-app` \| `kubernetes:operator\.tekton\.dev\/v1alpha1:TektonConfig` stone-prd-rh01-osp-tektonconfig \|/);
        t.regex(summary, /## Stack `dev` ✅[\s\S]*\| plnsvc \| 37 \|[\s\S]*No policy violations\./);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
