/**
 * Fleet lifecycle on the local stack with the real CLI, real apiservers and real kcp (issue 11 §1, §2):
 * - the wrapper passes what the stack deployed (its `clusters` outputs) to the program as
 *   PIPELINE_SERVICE_DEPLOYED_CLUSTERS;
 * - dropping compute-2 straight from clusters[] fails the preview with the drain steps, nothing changed;
 * - `state: draining`: compute-2's SyncTarget becomes unschedulable and the gateway lists compute-1 only; the update
 *   waits for compute-2's running PipelineRun and fails at drain.timeoutSeconds naming it (state stays active); once
 *   the run finished, the next up completes and records `draining`;
 * - `state: removed` is refused while a PipelineRun runs there, nothing changed; once it finished, compute-2's
 *   platform objects are deleted (TektonConfig, Subscription, CatalogSource, the syncer, its SyncTarget), its
 *   openshift-pipelines namespace and the Chains signing ExternalSecret stay, and compute-1 is untouched;
 * - `npm run decommission` is refused for an active cluster; on the removed compute-2 it lists, then deletes, the
 *   operator's CSV and InstallPlan that OLM leaves (and no other package's);
 * - then the entry goes, and the stack converges (preview --expect-no-changes).
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { expectOk, inventory, Project, ROOT, type RunResult } from "./harness.js";

const PR = { group: "tekton.dev", version: "v1", plural: "pipelineruns" };

let p: Project;
let stackFile: string;

/** Rewrite Pulumi.local.yaml's compute-2 entry (or drop it), keeping the rest of the file. */
function setCompute2(edit: ((c: Record<string, unknown>) => void) | "drop", extra: Record<string, unknown> = {}): void {
    const doc = YAML.parseDocument(stackFile);
    const clusters = doc.getIn(["config", "pipeline-service:clusters"]) as YAML.YAMLSeq;
    const list = clusters.toJSON() as Record<string, unknown>[];
    const i = list.findIndex((c) => c.name === "compute-2");
    if (edit === "drop") list.splice(i, 1);
    else edit(list[i]!);
    if (edit === "drop" || list[i]!.state === "removed") {
        // compute-2 is pool `isolated`'s only cluster: its tenant moves to compute-1's pool in the same change, or
        // validation refuses a tenant that could run nowhere (lib/config/tenants.ts).
        const tenants = (doc.getIn(["config", "pipeline-service:tenants"]) as YAML.YAMLSeq).toJSON() as Record<
            string,
            unknown
        >[];
        for (const t of tenants) if (t.pool === "isolated") t.pool = "general";
        doc.setIn(["config", "pipeline-service:tenants"], doc.createNode(tenants));
    }
    doc.setIn(["config", "pipeline-service:clusters"], doc.createNode(list));
    for (const [k, v] of Object.entries(extra)) doc.setIn(["config", `pipeline-service:${k}`], doc.createNode(v));
    fs.writeFileSync(path.join(p.dir, "Pulumi.local.yaml"), doc.toString());
}

async function outputs(): Promise<Record<string, any>> {
    const r = await p.pulumi("stack", "output", "clusters", "--json");
    expectOk(r, "stack output");
    return JSON.parse(r.stdout);
}

function pipelineRun(name: string): Record<string, unknown> {
    return {
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        metadata: { name, namespace: "default" },
        spec: {
            pipelineSpec: {
                tasks: [
                    {
                        name: "t",
                        taskSpec: { steps: [{ name: "s", image: "registry.invalid/step:1", script: "true" }] },
                    },
                ],
            },
        },
    };
}

/** Start a PipelineRun on compute-2 (nothing reconciles it there, so it runs until finish() marks it done). */
async function start(name: string): Promise<void> {
    await p
        .kube("compute-2")
        .custom.createNamespacedCustomObject({ ...PR, namespace: "default", body: pipelineRun(name) });
}

async function finish(name: string): Promise<void> {
    const api = p.kube("compute-2").custom;
    const pr = (await api.getNamespacedCustomObject({ ...PR, namespace: "default", name })) as Record<string, any>;
    pr.status = {
        conditions: [
            { type: "Succeeded", status: "True", reason: "Succeeded", lastTransitionTime: new Date().toISOString() },
        ],
    };
    await api.replaceNamespacedCustomObjectStatus({ ...PR, namespace: "default", name, body: pr });
}

async function syncTarget(name: string): Promise<Record<string, any> | undefined> {
    return p.kube("kcp").get("workload.kcp.io/v1alpha1", "SyncTarget", name);
}

async function gatewayBackends(): Promise<string> {
    const d = await p.kube("compute-1").get("apps/v1", "Deployment", "sprayproxy", "sprayproxy");
    return d!.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND")
        .value;
}

test.before(async () => {
    p = await Project.create("fleet");
    stackFile = fs.readFileSync(path.join(p.dir, "Pulumi.local.yaml"), "utf8");
    await p.clusterUp();
    await p.initStack();
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "first up");
});

test.after.always(async () => {
    if (!p) return;
    await p.clusterDown();
    p.cleanup();
});

test.serial("the wrapper passes the deployed clusters, from the stack's outputs, to the program", async (t) => {
    const out = await outputs();
    t.like(out["compute-1"], { state: "active", protected: false });
    t.like(out["compute-2"], { state: "active", protected: false });
    // The program sees them: a rename is refused naming the recorded cluster (only the outputs can tell it).
    setCompute2((c) => {
        c.name = "compute-3";
        c.appsDomain = "apps.compute-3.pipeline-service.localhost";
    });
    const r = await p.pulumi("preview");
    t.not(r.code, 0);
    t.regex(
        r.stdout + r.stderr,
        /cluster 'compute-2' is deployed \(stack output clusters\.compute-2, state active\) but is not in clusters\[\] any more/,
    );
    t.regex(r.stdout + r.stderr, /It looks like a rename to 'compute-3'/);
});

test.serial(
    "dropping compute-2 straight from clusters[] fails the preview with the drain steps; nothing changes",
    async (t) => {
        const before = await inventory(p);
        setCompute2("drop");
        const r = await p.pulumi("up", "--yes", "--skip-preview");
        t.not(r.code, 0);
        t.regex(r.stdout + r.stderr, /\(1\) keep its entry in clusters\[\] and set clusters\[<i>\]\.state: draining/);
        t.deepEqual(await inventory(p), before);
    },
);

test.serial(
    "draining: unschedulable SyncTarget, gateway without compute-2, a bounded wait for its PipelineRun",
    async (t) => {
        t.false((await syncTarget("compute-2"))!.spec.unschedulable);
        t.is((await gatewayBackends()).split(" ").length, 2);
        await start("still-running");
        setCompute2(
            (c) => {
                c.state = "draining";
            },
            { drain: { timeoutSeconds: 20 } },
        );
        const t0 = Date.now();
        const r = await p.pulumi("up", "--yes", "--skip-preview");
        t.not(r.code, 0, "the drain wait times out");
        t.regex(
            r.stdout + r.stderr,
            /cluster compute-2: draining: 1 PipelineRun\(s\) still run there after \d+s \(drain\.timeoutSeconds 20\): default\/still-running/,
        );
        t.true(Date.now() - t0 < 5 * 60_000);
        t.true((await syncTarget("compute-2"))!.spec.unschedulable, "the SyncTarget took no new work before the wait");
        t.false((await syncTarget("compute-1"))!.spec.unschedulable);
        t.is(
            await gatewayBackends(),
            "https://pipelines-as-code-controller-openshift-pipelines.apps.compute-1.pipeline-service.localhost",
        );
        t.is((await outputs())["compute-2"].state, "active", "the state is recorded only after a completed drain");
        await finish("still-running");
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "up once the run finished");
        t.is((await outputs())["compute-2"].state, "draining");
    },
);

test.serial(
    "removed: refused while a run is there; then compute-2's platform objects go, the namespace and signing secret stay",
    async (t) => {
        const c1 = (await inventory(p)).filter((x) => x.startsWith("compute-1 "));
        await start("late-run");
        setCompute2(
            (c) => {
                c.state = "removed";
            },
            { drain: { timeoutSeconds: 20 } },
        );
        const before = await inventory(p);
        const refused = await p.pulumi("up", "--yes", "--skip-preview");
        t.not(refused.code, 0);
        t.regex(
            refused.stdout + refused.stderr,
            /clusters\[1\]\.state: cluster compute-2 is to be removed, but 1 PipelineRun\(s\) still run there \(default\/late-run\)/,
        );
        t.deepEqual(await inventory(p), before, "nothing changed");
        await finish("late-run");
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "removal");
        const c2 = p.kube("compute-2");
        t.is(await c2.get("operator.tekton.dev/v1alpha1", "TektonConfig", "config"), undefined);
        t.is(
            await c2.get(
                "operators.coreos.com/v1alpha1",
                "Subscription",
                "openshift-pipelines-operator",
                "openshift-operators",
            ),
            undefined,
        );
        t.is(
            await c2.get("operators.coreos.com/v1alpha1", "CatalogSource", "custom-operators", "openshift-marketplace"),
            undefined,
        );
        t.is(await syncTarget("compute-2"), undefined);
        t.truthy(await c2.get("v1", "Namespace", "openshift-pipelines"), "openshift-pipelines stays (retainOnDelete)");
        t.truthy(
            await c2.get(
                "external-secrets.io/v1",
                "ExternalSecret",
                "tekton-chains-signing-secret",
                "openshift-pipelines",
            ),
            "the signing ExternalSecret stays",
        );
        t.false(
            (await inventory(p)).some(
                (x) => x.startsWith("compute-2 ") && /Deployment|TektonConfig|Subscription/.test(x),
            ),
        );
        t.deepEqual(
            (await inventory(p)).filter((x) => x.startsWith("compute-1 ")),
            c1,
            "compute-1 is untouched",
        );
        t.is((await outputs())["compute-2"].state, "removed");
    },
);

test.serial(
    "npm run decommission: refused for an active cluster; on the removed one, lists then deletes what OLM left of the operator, nothing else",
    async (t) => {
        const decommission = (...args: string[]) =>
            p.run("node", [
                "--import",
                "tsx",
                path.join(ROOT, "scripts", "decommission.ts"),
                "--stack",
                "local",
                "--cwd",
                p.dir,
                ...args,
            ]);
        const active = await decommission("--cluster", "compute-1", "--yes");
        t.is(active.code, 1);
        t.regex(active.stderr, /cluster compute-1 is 'active', not removed: drain it and remove it first/);

        // What OLM leaves after the Subscription is gone (the local control plane has no OLM to create them).
        const olm = p.kube("compute-2").custom;
        const ns = "openshift-operators";
        const OLM = { group: "operators.coreos.com", version: "v1alpha1", namespace: ns };
        const csv = (name: string) => ({
            apiVersion: "operators.coreos.com/v1alpha1",
            kind: "ClusterServiceVersion",
            metadata: { name, namespace: ns },
            spec: { displayName: name, install: { strategy: "deployment", spec: { deployments: [] } } },
        });
        const ours = "openshift-pipelines-operator-rh.v5.0.5-854";
        for (const name of [ours, "other-operator.v1.0.0"])
            await olm.createNamespacedCustomObject({ ...OLM, plural: "clusterserviceversions", body: csv(name) });
        for (const [name, csvs] of [
            ["install-pipelines", [ours]],
            ["install-other", ["other-operator.v1.0.0"]],
        ] as const)
            await olm.createNamespacedCustomObject({
                ...OLM,
                plural: "installplans",
                body: {
                    apiVersion: "operators.coreos.com/v1alpha1",
                    kind: "InstallPlan",
                    metadata: { name, namespace: ns },
                    spec: { approval: "Automatic", approved: true, clusterServiceVersionNames: csvs },
                },
            });
        const names = async (plural: string) =>
            (
                (await olm.listNamespacedCustomObject({ ...OLM, plural })) as {
                    items: { metadata: { name: string } }[];
                }
            ).items
                .map((o) => o.metadata.name)
                .sort();

        const dry = await decommission("--cluster", "compute-2");
        expectOk(dry, "decommission (list)");
        t.regex(
            dry.stdout,
            new RegExp(`compute-2: would delete clusterserviceversion ${ns}/${ours.replace(/\./g, "\\.")}\n`),
        );
        t.regex(dry.stdout, /compute-2: would delete installplan openshift-operators\/install-pipelines\n/);
        t.deepEqual(await names("clusterserviceversions"), [
            "openshift-pipelines-operator-rh.v5.0.5-854",
            "other-operator.v1.0.0",
        ]);

        expectOk(await decommission("--cluster", "compute-2", "--yes"), "decommission --yes");
        t.deepEqual(await names("clusterserviceversions"), ["other-operator.v1.0.0"]);
        t.deepEqual(await names("installplans"), ["install-other"]);
        t.truthy(await p.kube("compute-2").get("v1", "Namespace", "openshift-pipelines"), "openshift-pipelines stays");
    },
);

test.serial("the removed entry goes, and the stack converges", async (t) => {
    setCompute2("drop");
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "entry removed");
    t.false("compute-2" in (await outputs()));
    const r = await p.pulumi("preview", "--expect-no-changes");
    t.is(r.code, 0, r.stdout.slice(-3000));
});
