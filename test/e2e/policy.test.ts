/**
 * The policy pack with the real CLI, without cluster access (render mode): a config that breaks the catalog
 * digest pin and the PaC app name fails under the prod policy config naming exactly those rules; `npm run audit`
 * over a broken prod exits non-zero and its reports name the rule and the resource; the PR summary is made from
 * the same real preview output. The reports: SARIF that passes the SARIF 2.1.0 schema, with the policy's description,
 * a region at the stack-file line that drives the violation and stable fingerprints; Markdown with placeholders
 * escaped; provenance and the rules that passed in report.json and report.md.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { auditStack, FINGERPRINT_KEY, markdown, sarif, scratchCopy } from "../../scripts/audit.js";
import { markdownSummary, summarizePreview } from "../../scripts/pr-summary.js";
import { ROOT } from "./harness.js";
import { sarifSchemaErrors } from "../helpers/sarif.js";

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
        const a = await auditStack("broken", {
            root: dir,
            policyConfig: path.join(ROOT, "policy", "config", "prod.json"),
        });
        t.is(a.error, undefined, a.error);
        t.not(a.exitCode, 0, "the preview fails");
        t.deepEqual([...new Set(a.violations.map((v) => v.rule))].sort(), [
            "catalog-source-grpc-digest-pinned",
            "pac-settings-match-github-app",
        ]);
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
        // The reports of this real run: the catalog fix's placeholders stay visible in Markdown; the SARIF is valid.
        const md = markdown([a]);
        t.true(md.includes("&lt;repository&gt;@sha256:&lt;64 hex digits&gt;"), md);
        t.false(md.includes("<repository>"));
        const log = sarif([a], { root: dir });
        t.deepEqual(sarifSchemaErrors(log), []);
        const catalog = log.runs[0]!.results!.find((r) => r.ruleId === "catalog-source-grpc-digest-pinned")!;
        const text = fs.readFileSync(path.join(dir, "Pulumi.broken.yaml"), "utf8").split("\n");
        t.regex(
            text[catalog.locations![0]!.physicalLocation!.region!.startLine! - 1]!,
            /^\s+image: quay\.io\/openshift-pipeline\/openshift-pipelines-pipelines-operator-bundle-container-index:v4\.14-candidate$/,
        );
        const dev = await auditStack("broken", {
            root: dir,
            policyConfig: path.join(ROOT, "policy", "config", "dev.json"),
        });
        t.is(dev.exitCode, 0);
        t.true(
            dev.violations.some(
                (v) => v.rule === "catalog-source-grpc-digest-pinned" && v.enforcementLevel === "advisory",
            ),
        );
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
            execFile(
                "node",
                [
                    "--import",
                    "tsx",
                    path.join(ROOT, "scripts", "audit.ts"),
                    "--root",
                    dir,
                    "--out",
                    out,
                    "--stack",
                    "prod",
                    "--stack",
                    "dev",
                ],
                { env, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
                (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
            );
        });
        t.is(code, 1);
        const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
        const prod = report.stacks.find((s: { stack: string }) => s.stack === "prod");
        t.true(
            prod.violations.some(
                (v: { rule: string; resourceName: string; enforcementLevel: string }) =>
                    v.rule === "pac-settings-match-github-app" &&
                    v.resourceName === "stone-prd-rh01-osp-tektonconfig" &&
                    v.enforcementLevel === "mandatory",
            ),
        );
        const dev = report.stacks.find((s: { stack: string }) => s.stack === "dev");
        t.deepEqual(dev.violations, [], "the untouched dev stack is clean");
        const md = fs.readFileSync(path.join(out, "report.md"), "utf8");
        t.regex(
            md,
            /\| mandatory \| `pac-settings-match-github-app` \| `kubernetes:operator\.tekton\.dev\/v1alpha1:TektonConfig` stone-prd-rh01-osp-tektonconfig \|/,
        );
        const log = JSON.parse(fs.readFileSync(path.join(out, "report.sarif"), "utf8"));
        t.is(log.version, "2.1.0");
        t.deepEqual(sarifSchemaErrors(log), []);
        const result = log.runs[0].results.find(
            (r: { ruleId: string }) => r.ruleId === "pac-settings-match-github-app",
        );
        t.is(result.level, "error");
        t.regex(
            result.locations[0].logicalLocations[0].fullyQualifiedName,
            /TektonConfig::stone-prd-rh01-osp-tektonconfig$/,
        );
        // The region: the stack file's pipeline-service:githubAppName line, which drives it.
        const lines = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8").split("\n");
        t.is(result.locations[0].physicalLocation.artifactLocation.uri, "Pulumi.prod.yaml");
        t.is(
            lines[result.locations[0].physicalLocation.region.startLine - 1],
            "  pipeline-service:githubAppName: Konflux",
        );
        const fps = log.runs[0].results.map(
            (r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY],
        );
        t.true(fps.length > 0 && fps.every((f: string) => /^[0-9a-f]{64}$/.test(f)));
        t.is(new Set(fps).size, fps.length);
        const rule = log.runs[0].tool.driver.rules.find(
            (r: { id: string }) => r.id === "pac-settings-match-github-app",
        );
        t.regex(
            rule.fullDescription.text,
            /^The PaC settings application-name and custom-console-name must both equal the GitHub App's name/,
        );
        t.regex(rule.help.text, /How to fix:\n- Set pipeline-service:githubAppName/);
        // Provenance and the rules that passed.
        const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8"));
        t.like(report.provenance, {
            gitCommit: null,
            policyPack: { name: "pipeline-service", version: "0.1.0" },
            pulumiCli: versions.pulumi.version,
        });
        t.true(prod.passed.includes("catalog-source-grpc-digest-pinned"));
        t.false(prod.passed.includes("pac-settings-match-github-app"));
        t.true(dev.passed.includes("pac-settings-match-github-app"));
        t.regex(
            md,
            /Audited no git commit \(not a git checkout\), policy pack `pipeline-service` 0\.1\.0, Pulumi CLI \d+\.\d+\.\d+\./,
        );
        t.regex(md, /Rules that passed \(\d+\): `argocd-application-source`/);

        // The PR summary, from the real preview JSON and event log the audit kept.
        const summary = markdownSummary(
            ["prod", "dev"].map((s) =>
                summarizePreview(
                    s,
                    fs.readFileSync(path.join(out, "previews", `${s}.preview.json`), "utf8"),
                    fs.readFileSync(path.join(out, "previews", `${s}.events.jsonl`), "utf8"),
                ),
            ),
        );
        t.regex(summary, /## Stack `prod` ❌ \d+ mandatory violation\(s\)/);
        // A throwaway state: every object of a cluster is a create, nothing updates, replaces or deletes.
        const creates = (cluster: string) =>
            Number(new RegExp(`\\| ${cluster} \\| (\\d+) \\| 0 \\| 0 \\| 0 \\| 0 \\|`).exec(summary)?.[1] ?? NaN);
        t.true(creates("stone-prd-rh01") >= 20, `stone-prd-rh01 creates: ${creates("stone-prd-rh01")}`);
        t.true(creates("gateway") >= 5, `gateway creates: ${creates("gateway")}`);
        t.regex(
            summary,
            /\| mandatory \| `pac-settings-match-github-app` \| `kubernetes:operator\.tekton\.dev\/v1alpha1:TektonConfig` stone-prd-rh01-osp-tektonconfig \|/,
        );
        t.regex(summary, /## Stack `dev` ✅[\s\S]*\| plnsvc \| \d+ \|[\s\S]*No policy violations\./);
        t.true(creates("plnsvc") >= 20, `plnsvc creates: ${creates("plnsvc")}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
