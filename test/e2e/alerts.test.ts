/**
 * The PrometheusRule of components/metricsExporter.ts under the real Prometheus rule engine: the rules are rendered
 * from the pure builder (no cluster), written as a Prometheus rule file, and checked with `promtool check rules` and
 * `promtool test rules` against test/promql/pipeline-alerts.test.yaml, the way redhat-appstudio/o11y tests its
 * rules (test/promql). promtool is built from the Prometheus Go module pinned in tools/versions.json
 * (`npm run tools -- --only promtool`). Mutated rules (a changed window, a dropped slo label, the old 15m `for`,
 * a lost `sum by (source_cluster)`) must make the rule tests fail.
 */
import test from "ava";
import { sh } from "../../scripts/lib/scratch.js";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { buildAlerts, type AlertingRule, type RuleGroup } from "../../components/metricsExporter.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PROMTOOL = path.join(ROOT, ".tools", "bin", "promtool");
const TEST_FILE = path.join(ROOT, "test", "promql", "pipeline-alerts.test.yaml");
const RULES_NAME = "pipeline-alerts.rules.yaml";
const version = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8")) as { promtool: { version: string } }
).promtool.version;

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
    const r = await sh(PROMTOOL, args, { timeoutMs: 120_000 });
    return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

function renderedGroups(): RuleGroup[] {
    return structuredClone(buildAlerts().spec as { groups: RuleGroup[] }).groups;
}

/** Write the groups as a Prometheus rule file next to a copy of the rule test file; returns both paths. */
const workspaces: string[] = [];
test.after.always(() => {
    for (const d of workspaces) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(groups: RuleGroup[]): { rules: string; tests: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-promql-"));
    workspaces.push(dir);
    const rules = path.join(dir, RULES_NAME);
    fs.writeFileSync(rules, YAML.stringify({ groups }, { lineWidth: 0 }));
    const tests = path.join(dir, path.basename(TEST_FILE));
    fs.copyFileSync(TEST_FILE, tests);
    return { rules, tests };
}

function alert(groups: RuleGroup[], name: string): AlertingRule {
    const r = groups.flatMap((g) => g.rules).find((x) => (x as AlertingRule).alert === name);
    if (!r) throw new Error(`no alert ${name} in the rendered rules`);
    return r as AlertingRule;
}

test.before(() => {
    if (!fs.existsSync(PROMTOOL)) {
        throw new Error(
            `${PROMTOOL} is missing: build it with 'npm run tools -- --only promtool' (tools/versions.json promtool ${version})`,
        );
    }
});

test("promtool is the pinned build", async (t) => {
    const r = await promtool("--version");
    t.is(r.code, 0, r.out);
    t.true(r.out.includes(`promtool, version ${version} `), r.out);
});

test("promtool check rules accepts the rendered PrometheusRule, every rule of it", async (t) => {
    const groups = renderedGroups();
    const count = groups.reduce((n, g) => n + g.rules.length, 0);
    t.is(count, 1 + 13 + 14, "the konflux_up recording, 13 availability alerts, 14 pipeline alerts");
    const { rules } = workspace(groups);
    const r = await promtool("check", "rules", rules);
    t.is(r.code, 0, r.out);
    t.true(r.out.includes(`SUCCESS: ${count} rules found`), r.out);
});

test("promtool test rules passes test/promql/pipeline-alerts.test.yaml on the rendered rules", async (t) => {
    const { tests } = workspace(renderedGroups());
    const r = await promtool("test", "rules", tests);
    t.is(r.code, 0, r.out);
    t.regex(r.out, /SUCCESS/);
    t.notRegex(r.out, /FAILED/);
});

/** A mutation of the rendered rules that `promtool test rules` must catch, naming the alert. */
const MUTATIONS: { name: string; alert: string; mutate: (r: AlertingRule) => void }[] = [
    {
        name: "PipelineControllerDeadlock window [2m] -> [5m]",
        alert: "PipelineControllerDeadlock",
        mutate: (r) => {
            r.expr = r.expr.replace("[2m]", "[5m]");
        },
    },
    {
        name: "TaskControllerDeadlock window [2m] -> [5m] on the pending pods",
        alert: "TaskControllerDeadlock",
        mutate: (r) => {
            r.expr = r.expr.replace(
                "taskrun_pod_create_not_attempted_or_pending_count[2m]",
                "taskrun_pod_create_not_attempted_or_pending_count[5m]",
            );
        },
    },
    {
        name: "PipelinePodsRepeatedRestarts window [5m] -> [2m]",
        alert: "PipelinePodsRepeatedRestarts",
        mutate: (r) => {
            r.expr = r.expr.replace("[5m]", "[2m]");
        },
    },
    {
        name: "PipelineControllerDeadlock without the slo label",
        alert: "PipelineControllerDeadlock",
        mutate: (r) => {
            delete r.labels.slo;
        },
    },
    {
        name: "TektonResultsWatcherDown without the slo label",
        alert: "TektonResultsWatcherDown",
        mutate: (r) => {
            delete r.labels.slo;
        },
    },
    {
        name: "ResolverControllerDeadlock for 75m -> 15m (the value before parity)",
        alert: "ResolverControllerDeadlock",
        mutate: (r) => {
            r.for = "15m";
        },
    },
    {
        name: "PACControllerDeadlock without sum by (source_cluster)",
        alert: "PACControllerDeadlock",
        mutate: (r) => {
            r.expr = "increase(pac_watcher_work_queue_depth[2m]) > 50";
        },
    },
    {
        name: "ChainsControllerDeadlock routed to another team",
        alert: "ChainsControllerDeadlock",
        mutate: (r) => {
            r.annotations.alert_team_handle = "<!subteam^S0OTHER>";
        },
    },
];

for (const m of MUTATIONS) {
    test(`promtool test rules fails on a mutated rule: ${m.name}`, async (t) => {
        const groups = renderedGroups();
        const target = alert(groups, m.alert);
        const before = JSON.stringify(target);
        m.mutate(target);
        t.not(JSON.stringify(target), before, "the mutation changed the rule");
        const { rules, tests } = workspace(groups);
        const check = await promtool("check", "rules", rules);
        t.is(check.code, 0, `the mutated rules are still valid, so only their behaviour differs:\n${check.out}`);
        const r = await promtool("test", "rules", tests);
        t.not(r.code, 0, `promtool test rules passed on mutated rules:\n${r.out}`);
        t.regex(r.out, /FAILED/);
        t.true(r.out.includes(`alertname: ${m.alert}`), `the failure names ${m.alert}:\n${r.out}`);
    });
}
