/**
 * scripts/audit.ts without the CLI: the SARIF report (schema-valid, rule descriptions, help and fix from the pack,
 * regions at the driving stack-file line, fingerprints that survive line moves and rewording), the Markdown report
 * (placeholders escaped, provenance, rules that passed), the policy config's enabled rules, and the preview digest
 * made from engine events. The same reports from a real preview are checked in test/e2e/policy.test.ts.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    configKeysIn,
    enabledRules,
    FINGERPRINT_KEY,
    fingerprint,
    keyPath,
    markdown,
    provenance,
    RULES,
    sarif,
    StackFile,
    violationsFromEvents,
    type StackAudit,
    type Violation,
} from "../../scripts/audit.js";
import { eventLog, previewDigest, type EngineEvent } from "../../scripts/lib/automation.js";
import { splitViolation, violation } from "../../policy/lib/report.js";
import { policies } from "../../policy/rules/index.js";
import { ROOT } from "../helpers/paths.js";
import { sarifSchemaErrors } from "../helpers/sarif.js";

const describe = (rule: string) => policies.find((p) => p.name === rule)!.description;

/** A violation as the engine reports it: the rule's description, a newline, the message. */
function v(rule: string, resourceName: string, message: string, over: Partial<Violation> = {}): Violation {
    const type = rule.startsWith("catalog")
        ? "kubernetes:operators.coreos.com/v1alpha1:CatalogSource"
        : "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig";
    return {
        stack: "prod",
        environment: "prod",
        rule,
        policyPack: "pipeline-service",
        enforcementLevel: "mandatory",
        urn: `urn:pulumi:prod::pipeline-service::pipeline-service:cluster:ComputeCluster$${type}::${resourceName}`,
        resourceType: type,
        resourceName,
        message: `${describe(rule)}\n${message}`,
        ...over,
    };
}

const PAC_FIX =
    "Set pipeline-service:githubAppName (or the cluster's overrides.githubAppName) to the App's exact name, or add the name to githubAppNames in the policy config";
const pac = (cluster: string, name = "Konflux") =>
    v(
        "pac-settings-match-github-app",
        `${cluster}-osp-tektonconfig`,
        violation(
            `TektonConfig 'config' names the GitHub App '${name}', which is not one of this environment's Apps ('Red Hat Konflux')`,
            PAC_FIX,
        ),
    );
const catalog = (cluster: string) =>
    v(
        "catalog-source-grpc-digest-pinned",
        `${cluster}-osp-catalog`,
        violation(
            "CatalogSource 'custom-operators' uses the index image 'quay.io/x/index:v4.14', which is not pinned by digest",
            "Pin it as <repository>@sha256:<64 hex digits> in pipeline-service:osp.catalog.image, e.g. with `skopeo inspect` of the tag you want",
        ),
    );

function audit(violations: Violation[], over: Partial<StackAudit> = {}): StackAudit {
    const violated = new Set(violations.map((x) => x.rule));
    return {
        stack: "prod",
        environment: "prod",
        policyConfig: "policy/config/prod.json",
        resources: 120,
        violations,
        passed: RULES.map((r) => r.name).filter((r) => !violated.has(r)),
        exitCode: violations.length ? 255 : 0,
        ...over,
    };
}

const prodText = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

test("splitViolation takes the message apart at the first fix sentence", (t) => {
    t.deepEqual(splitViolation(violation("X has sourceType 'a.b', not grpc", "Set spec.sourceType to grpc")), {
        problem: "X has sourceType 'a.b', not grpc.",
        fix: "Set spec.sourceType to grpc.",
    });
    t.deepEqual(splitViolation("Something is wrong. Nothing to do."), {
        problem: "Something is wrong. Nothing to do.",
    });
});

test("config keys named in a message, and their paths", (t) => {
    t.deepEqual(
        configKeysIn(
            "Set pipeline-service:tekton.performance.buckets and .replicas; see pipeline-service:clusters[1].name.",
        ),
        ["tekton.performance.buckets", "clusters[1].name"],
    );
    t.deepEqual(keyPath("clusters[1].overrides.osp.catalog.image"), [
        "clusters",
        1,
        "overrides",
        "osp",
        "catalog",
        "image",
    ]);
});

test("StackFile.region: the key's line and columns from the yaml CST, for scalars, maps and sequence items", (t) => {
    const f = new StackFile(prodText);
    const line = lineOf(prodText, "pipeline-service:githubAppName:");
    t.deepEqual(f.region(["pipeline-service:githubAppName"]), {
        startLine: line,
        startColumn: 3,
        endLine: line,
        endColumn: 3 + "pipeline-service:githubAppName: Red Hat Konflux".length,
    });
    t.is(
        f.region(["pipeline-service:osp", "catalog", "image"])?.startLine,
        lineOf(prodText, "      image: quay.io/openshift-pipeline/pipelines-index"),
    );
    t.is(
        f.region(["pipeline-service:clusters", 2, "overrides", "githubAppName"])?.startLine,
        lineOf(prodText, "githubAppName: Konflux Production Internal"),
    );
    // A map value: only the key's line.
    const tekton = f.region(["pipeline-service:tekton"])!;
    t.is(tekton.startLine, tekton.endLine);
    t.is(f.region(["pipeline-service:nope"]), undefined);
    t.is(f.region(["pipeline-service:clusters", 9]), undefined);
    t.deepEqual(f.clusters(), ["stone-prd-rh01", "stone-prd-m01", "stone-prod-p01"]);
});

test("the SARIF report passes the SARIF 2.1.0 schema, with the pack's rules, regions, fix and fingerprints", (t) => {
    const log = sarif(
        [audit([pac("stone-prd-rh01"), pac("stone-prod-p01", "Konflux Internal"), catalog("stone-prd-m01")])],
        {
            provenance: {
                gitCommit: "0".repeat(40),
                gitDirty: false,
                policyPack: { name: "pipeline-service", version: "0.1.0" },
                pulumiCli: "3.163.0",
            },
        },
    );
    t.deepEqual(sarifSchemaErrors(log), []);
    const run = log.runs[0]!;
    t.is(run.tool.driver.version, "0.1.0");
    // Every rule of the pack, described by the policy itself (not its id).
    t.deepEqual(
        run.tool.driver.rules!.map((r) => r.id),
        RULES.map((r) => r.name).sort(),
    );
    const rule = run.tool.driver.rules!.find((r) => r.id === "pac-settings-match-github-app")!;
    t.is(rule.fullDescription!.text, describe("pac-settings-match-github-app"));
    t.is(
        rule.shortDescription!.text,
        "The PaC settings application-name and custom-console-name must both equal the GitHub App's name, one of the githubAppNames in the policy config, so check runs and console links carry the App's name.",
    );
    t.true(rule.help!.text.includes(`How to fix:\n- ${PAC_FIX}.`), rule.help!.text);
    t.true(rule.help!.markdown!.includes("**How to fix:**"));

    const [rh01, p01, m01] = run.results!;
    // rh01 uses the top-level App name: its line in Pulumi.prod.yaml.
    t.is(rh01!.ruleId, "pac-settings-match-github-app");
    t.is(run.tool.driver.rules![rh01!.ruleIndex!]!.id, rh01!.ruleId!);
    t.is(rh01!.level, "error");
    t.is(rh01!.locations![0]!.physicalLocation!.artifactLocation!.uri, "Pulumi.prod.yaml");
    t.is(rh01!.locations![0]!.physicalLocation!.region!.startLine, lineOf(prodText, "pipeline-service:githubAppName:"));
    t.is(rh01!.properties!.configKey, "pipeline-service:githubAppName");
    // The message is the violation, without the description the runtime puts first; the fix is its own property.
    t.false(rh01!.message.text!.includes(describe("pac-settings-match-github-app")));
    t.is(rh01!.properties!.fix, `${PAC_FIX}.`);
    // p01 overrides the App name: the override's line.
    t.is(
        p01!.locations![0]!.physicalLocation!.region!.startLine,
        lineOf(prodText, "githubAppName: Konflux Production Internal"),
    );
    t.is(p01!.properties!.configKey, "pipeline-service:clusters[2].overrides.githubAppName");
    // m01 has no catalog override: the top-level osp.catalog.image line.
    t.is(
        m01!.locations![0]!.physicalLocation!.region!.startLine,
        lineOf(prodText, "      image: quay.io/openshift-pipeline/pipelines-index"),
    );
    for (const r of run.results!) t.regex(r.partialFingerprints![FINGERPRINT_KEY]!, /^[0-9a-f]{64}$/);
    t.is(new Set(run.results!.map((r) => r.partialFingerprints![FINGERPRINT_KEY])).size, 3);
});

test("fingerprints do not move with the line or the wording, and tell rule, resource, stack and repeats apart", (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-unit-"));
    try {
        // The same stack file with ten comment lines on top: every region moves, no fingerprint does.
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "# moved\n".repeat(10) + prodText);
        const a = sarif([audit([pac("stone-prd-rh01")])]).runs[0]!.results![0]!;
        const reworded = pac("stone-prd-rh01");
        reworded.message = reworded.message.replace("names the GitHub App", "carries the GitHub App name");
        const b = sarif([audit([reworded])], { root: dir }).runs[0]!.results![0]!;
        t.is(
            b.locations![0]!.physicalLocation!.region!.startLine,
            a.locations![0]!.physicalLocation!.region!.startLine! + 10,
        );
        t.not(a.message.text, b.message.text);
        t.is(a.partialFingerprints![FINGERPRINT_KEY], b.partialFingerprints![FINGERPRINT_KEY]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const base = pac("stone-prd-rh01");
    const fp = fingerprint(base);
    t.not(fingerprint({ ...base, rule: "catalog-source-grpc-digest-pinned" }), fp);
    t.not(fingerprint({ ...base, urn: base.urn.replace("rh01", "m01") }), fp);
    t.not(fingerprint({ ...base, stack: "dev" }), fp);
    // Two results of one rule on one resource: two alerts, not one.
    const twice = sarif([audit([base, { ...base, message: `${describe(base.rule)}\nAnother. Set it.` }])]).runs[0]!
        .results!;
    t.not(twice[0]!.partialFingerprints![FINGERPRINT_KEY], twice[1]!.partialFingerprints![FINGERPRINT_KEY]);
});

test("a violation whose message names no key set in the file has a location without region", (t) => {
    const x = v(
        "tekton-config-named-config",
        "stone-prd-rh01-osp-tektonconfig",
        violation("TektonConfig 'other' is not named config", "Rename it to config"),
    );
    const r = sarif([audit([x])]).runs[0]!.results![0]!;
    t.is(r.locations![0]!.physicalLocation!.region, undefined);
    t.is(r.locations![0]!.physicalLocation!.artifactLocation!.uri, "Pulumi.prod.yaml");
    t.deepEqual(sarifSchemaErrors(sarif([audit([x])])), []);
});

test("the Markdown report escapes placeholders, carries provenance and lists the rules that passed", (t) => {
    const a = audit([catalog("stone-prd-m01")]);
    const md = markdown([a], {
        gitCommit: "abc123".padEnd(40, "0"),
        gitDirty: true,
        policyPack: { name: "pipeline-service", version: "0.1.0" },
        pulumiCli: "3.163.0",
    });
    t.true(md.includes("&lt;repository&gt;@sha256:&lt;64 hex digits&gt;"), md);
    t.false(md.includes("<repository>"));
    t.regex(
        md,
        /Audited commit `abc1230{34}` with uncommitted changes, policy pack `pipeline-service` 0\.1\.0, Pulumi CLI 3\.163\.0\./,
    );
    t.regex(
        md,
        /\| mandatory \| `catalog-source-grpc-digest-pinned` \| `kubernetes:operators\.coreos\.com\/v1alpha1:CatalogSource` stone-prd-m01-osp-catalog \|/,
    );
    t.true(md.includes(`Rules that passed (${RULES.length - 1}): `));
    t.true(md.includes("`pac-settings-match-github-app`"));
    t.false(/Rules that passed[^\n]*catalog-source-grpc-digest-pinned/.test(md));
    // A failed preview lists no rule as passed.
    const failed = markdown([audit([], { error: "pulumi preview exited 1: error: <boom>", passed: [] })]);
    t.true(failed.includes("Preview failed: pulumi preview exited 1: error: &lt;boom&gt;"));
    t.false(failed.includes("Rules that passed"));
});

test("enabledRules: a policy config's disabled rules are not counted as passed", (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-unit-"));
    try {
        const f = path.join(dir, "p.json");
        fs.writeFileSync(
            f,
            JSON.stringify({
                all: "mandatory",
                "gateway-single-member": "disabled",
                "no-literal-secrets": { enforcementLevel: "disabled" },
            }),
        );
        const on = enabledRules(f);
        t.is(on.length, RULES.length - 2);
        t.false(on.includes("gateway-single-member"));
        t.false(on.includes("no-literal-secrets"));
        fs.writeFileSync(f, JSON.stringify({ all: "disabled", "gateway-single-member": "advisory" }));
        t.deepEqual(enabledRules(f), ["gateway-single-member"]);
        t.is(enabledRules(path.join(ROOT, "policy", "config", "prod.json")).length, RULES.length);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("provenance: the checkout's commit, the pack's version; no commit outside git", (t) => {
    const p = provenance(ROOT, "3.163.0");
    t.regex(p.gitCommit ?? "", /^[0-9a-f]{40}$/);
    t.is(typeof p.gitDirty, "boolean");
    t.deepEqual(p.policyPack, {
        name: "pipeline-service",
        version: JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).version,
    });
    t.is(p.pulumiCli, "3.163.0");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-unit-"));
    try {
        t.like(provenance(dir, null, [audit([], { policyPacks: { "pipeline-service": "9.9.9" } })]), {
            gitCommit: null,
            gitDirty: null,
            policyPack: { name: "pipeline-service", version: "9.9.9" },
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("engine events: violations, and the preview digest pr-summary reads (no inputs or outputs kept)", (t) => {
    const urn =
        "urn:pulumi:prod::pipeline-service::pipeline-service:cluster:ComputeCluster$kubernetes:core/v1:Secret::c1-s";
    const parent = "urn:pulumi:prod::pipeline-service::pipeline-service:cluster:ComputeCluster::c1";
    const events: EngineEvent[] = [
        {
            sequence: 1,
            timestamp: 1,
            resourcePreEvent: {
                metadata: {
                    op: "create",
                    urn,
                    type: "kubernetes:core/v1:Secret",
                    provider: "p",
                    new: {
                        urn,
                        type: "kubernetes:core/v1:Secret",
                        custom: true,
                        parent,
                        id: "",
                        provider: "p",
                        inputs: { data: "hunter2" },
                        outputs: {},
                    },
                },
            },
        },
        {
            sequence: 2,
            timestamp: 1,
            diagnosticEvent: { message: "\x1b[31mboom\x1b[0m", prefix: "error: ", color: "raw", severity: "error" },
        },
        { sequence: 3, timestamp: 1, diagnosticEvent: { message: "chatter", color: "raw", severity: "info" } },
        {
            sequence: 4,
            timestamp: 1,
            policyEvent: {
                resourceUrn: urn,
                message: "\x1b[1mDesc\nBad. Set it.\x1b[0m",
                color: "raw",
                policyName: "no-literal-secrets",
                policyPackName: "pipeline-service",
                policyPackVersion: "0.1.0",
                policyPackVersionTag: "",
                enforcementLevel: "mandatory",
            },
        },
        {
            sequence: 5,
            timestamp: 1,
            summaryEvent: {
                maybeCorrupt: false,
                durationSeconds: 1,
                resourceChanges: { create: 1 },
                policyPacks: { "pipeline-service": "0.1.0" },
            },
        },
    ];
    const digest = previewDigest(events);
    t.deepEqual(digest.steps, [
        {
            op: "create",
            urn,
            provider: "p",
            oldState: undefined,
            newState: { urn, type: "kubernetes:core/v1:Secret", custom: true, parent, provider: "p" },
        },
    ]);
    t.false(JSON.stringify(digest).includes("hunter2"));
    // A component's state in the events has no `custom` (omitted when false): the digest says false, as --json does.
    const component = previewDigest([
        {
            sequence: 1,
            timestamp: 1,
            resourcePreEvent: {
                metadata: {
                    op: "create",
                    urn: parent,
                    type: "pipeline-service:cluster:ComputeCluster",
                    provider: "",
                    new: {
                        urn: parent,
                        type: "pipeline-service:cluster:ComputeCluster",
                        id: "",
                        parent: "",
                        provider: "",
                        inputs: {},
                        outputs: {},
                    },
                },
            },
        },
    ]);
    t.is(component.steps[0]!.newState!.custom, false);
    t.deepEqual(digest.diagnostics, [{ urn: undefined, prefix: "error: ", message: "error: boom", severity: "error" }]);
    t.deepEqual(digest.changeSummary, { create: 1 });
    const [viol] = violationsFromEvents(events, "prod", "prod");
    t.like(viol, {
        rule: "no-literal-secrets",
        resourceType: "kubernetes:core/v1:Secret",
        resourceName: "c1-s",
        message: "Desc\nBad. Set it.",
    });
    t.is(eventLog(events).trim().split("\n").length, events.length);
});
