/**
 * The main job end to end: the real CLI, the real kubernetes provider, real kube-apiservers with the upstream
 * CRDs, and a local file backend, in an isolated copy of the project. Tests run in order (ava --serial) and
 * share one control plane.
 */
import * as k8s from "@kubernetes/client-node";
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { expectOk, type ExportedResource, inventory, Project, ROOT, stackObjects } from "./harness.js";

let p: Project;

test.before(async () => {
    p = await Project.create("e2e");
    await p.clusterUp();
    await p.initStack();
});

test.after.always(async () => {
    if (!p) return;
    const down = await p.clusterDown(true);
    if (down.code !== 0) console.error(down.stderr);
    if (process.env.KEEP_E2E_DIR) console.log(`kept ${p.dir}`);
    else p.cleanup();
});

/** Steps of `pulumi preview --json` that change something, as `op type name`. */
function changes(previewJson: string): string[] {
    const doc = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
    return (doc.steps ?? [])
        .filter((s) => s.op !== "same")
        .map((s) => {
            const parts = s.urn.split("::");
            return `${s.op} ${parts[2]?.split("$").pop()} ${parts[3]}`;
        });
}

test("up creates every object with the platform's fields in each compute cluster and in kcp", async (t) => {
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up");

    for (const ctx of ["compute-1", "compute-2"]) {
        const k = p.kube(ctx);
        const cs = await k.get(
            "operators.coreos.com/v1alpha1",
            "CatalogSource",
            "custom-operators",
            "openshift-marketplace",
        );
        t.is(cs?.spec.sourceType, "grpc", `${ctx} CatalogSource sourceType`);
        t.regex(cs?.spec.image, /@sha256:[a-f0-9]{64}$/, `${ctx} CatalogSource pinned by digest`);
        t.is(cs?.spec.updateStrategy.registryPoll.interval, "30m");

        const sub = await k.get(
            "operators.coreos.com/v1alpha1",
            "Subscription",
            "openshift-pipelines-operator",
            "openshift-operators",
        );
        t.is(sub?.spec.name, "openshift-pipelines-operator-rh");
        t.is(sub?.spec.source, "custom-operators");
        t.is(sub?.spec.sourceNamespace, "openshift-marketplace");

        const tc = await k.get("operator.tekton.dev/v1alpha1", "TektonConfig", "config");
        t.is(tc?.spec.targetNamespace, "openshift-pipelines");
        t.is(tc?.spec.profile, "all");
        // Phase 1 (kcp on): the operator creates the `pipeline` ServiceAccount in the namespaces the syncer creates.
        t.deepEqual(tc?.spec.params, [
            { name: "createRbacResource", value: "true" },
            { name: "createCABundleConfigMaps", value: "false" },
        ]);
        t.is(tc?.spec.trigger.disabled, true, "Triggers disabled");
        t.is(tc?.spec.pruner.disabled, true, "operator pruner disabled");
        t.is(tc?.spec.pipeline["default-service-account"], "pipeline");
        const pac = tc?.spec.platforms.openshift.pipelinesAsCode;
        t.is(pac.enable, true);
        t.is(pac.settings["application-name"], "Pipeline Service Local");
        t.is(pac.settings["custom-console-name"], "Pipeline Service Local");
        t.regex(
            pac.settings["custom-console-url-pr-tasklog"],
            /^https:\/\/console\.pipeline-service\.localhost\/.*\{\{ namespace \}\}.*\{\{ pr \}\}.*\{\{ task \}\}$/,
        );
        t.is(tc?.spec.result.db_sslmode, "verify-full");
        t.is(tc?.spec.result.auth_disable, false);
        t.is(tc?.spec.result.logs_type, "S3");
        // kcp is on in the local stack (Phase 1): the watcher never deletes PipelineRuns the syncer would re-create.
        t.is(tc?.spec.result.watcher.completed_run_grace_period, "0s");

        const app = await k.get("argoproj.io/v1alpha1", "Application", "pipeline-service", "openshift-gitops");
        t.deepEqual(app?.spec.syncPolicy.automated, { prune: true, selfHeal: true });
        t.is(app?.spec.syncPolicy.retry.limit, -1);

        const pacSecret = await k.get(
            "external-secrets.io/v1",
            "ExternalSecret",
            "pipelines-as-code-secret",
            "openshift-pipelines",
        );
        t.is(pacSecret?.spec.refreshInterval, "5m");
        const chains = await k.get(
            "external-secrets.io/v1",
            "ExternalSecret",
            "tekton-chains-signing-secret",
            "openshift-pipelines",
        );
        t.is(chains?.spec.target.creationPolicy, "Orphan");

        const ns = await k.get("v1", "Namespace", "openshift-pipelines");
        t.is(ns?.metadata.labels["argocd.argoproj.io/managed-by"], "openshift-gitops");
    }
    // compute-2 overrides tekton.performance (ring 1).
    const tc2 = await p.kube("compute-2").get("operator.tekton.dev/v1alpha1", "TektonConfig", "config");
    t.is(tc2?.spec.pipeline.performance.replicas, 2);

    // The syncer: a SyncTarget in kcp whose UID the Deployment on the compute cluster consumes.
    const kcp = p.kube("kcp");
    for (const ctx of ["compute-1", "compute-2"]) {
        const st = await kcp.get("workload.kcp.io/v1alpha1", "SyncTarget", ctx);
        t.truthy(st, `SyncTarget ${ctx}`);
        const deployments = (await p.kube(ctx).managed("apps/v1", "Deployment")).filter((d) =>
            d.includes("kcp-syncer"),
        );
        t.is(deployments.length, 1, `${ctx} has one syncer Deployment`);
        const [ns, name] = deployments[0]!.split("/");
        const dep = await p.kube(ctx).get("apps/v1", "Deployment", name!, ns);
        const args: string[] = dep?.spec.template.spec.containers[0].args;
        t.true(args.includes(`--sync-target-uid=${st?.metadata.uid}`), "syncer consumes the SyncTarget UID");
        t.false(
            args.some((a) => /taskruns|runs\.tekton\.dev$/.test(a) && !a.includes("pipelineruns")),
            "no taskruns or runs synced",
        );
        t.is(dep?.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
    }

    // The fan-out gateway on compute-1, with both members as backends.
    const spray = await p.kube("compute-1").get("apps/v1", "Deployment", "sprayproxy", "sprayproxy");
    const backends = spray?.spec.template.spec.containers[0].env.find(
        (e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND",
    ).value;
    t.is(
        backends,
        "https://pipelines-as-code-controller-openshift-pipelines.apps.compute-1.pipeline-service.localhost " +
            "https://pipelines-as-code-controller-openshift-pipelines.apps.compute-2.pipeline-service.localhost",
    );

    const outputs = JSON.parse((await p.pulumi("stack", "output", "--json")).stdout);
    t.is(outputs.clusters["compute-1"].syncTarget, "compute-1");
    t.regex(outputs.clusters["compute-2"].catalogDigest, /^sha256:[a-f0-9]{64}$/);
    t.is(outputs.gatewayUrl, "https://webhooks.pipeline-service.localhost");
});

test("a second preview and a refresh report no changes", async (t) => {
    const preview = await p.pulumi("preview", "--expect-no-changes", "--diff");
    expectOk(preview, "pulumi preview --expect-no-changes");
    const refresh = await p.pulumi("refresh", "--yes", "--expect-no-changes");
    expectOk(refresh, "pulumi refresh --expect-no-changes");
    t.pass();
});

test("the policy pack passes on the local stack: pulumi preview --stack local --policy-pack policy", async (t) => {
    const events = path.join(p.dir, "policy-events.jsonl");
    p.env.PULUMI_DEBUG_COMMANDS = "true"; // exposes --event-log in pulumi 3.163
    try {
        const r = await p.pulumi(
            "preview",
            "--policy-pack",
            "policy",
            "--policy-pack-config",
            "policy/config/local.json",
            "--event-log",
            events,
            "--expect-no-changes",
        );
        expectOk(r, "pulumi preview --policy-pack policy");
    } finally {
        delete p.env.PULUMI_DEBUG_COMMANDS;
    }
    const log = fs.readFileSync(events, "utf8");
    t.regex(log, /"policyLoadEvent"/, "the pack was loaded");
    t.notRegex(log, /"policyEvent"/, "no violation, advisory or mandatory");
});

test("drift: a changed CatalogSource image and a deleted syncer Deployment are shown, repaired, then quiet", async (t) => {
    const k = p.kube("compute-1");
    const tampered = "quay.io/attacker/index@sha256:" + "0".repeat(64);
    await k.objects.patch(
        {
            apiVersion: "operators.coreos.com/v1alpha1",
            kind: "CatalogSource",
            metadata: { name: "custom-operators", namespace: "openshift-marketplace" },
            spec: { image: tampered },
        } as never,
        undefined,
        undefined,
        "drift-test",
        undefined,
        k8s.PatchStrategy.MergePatch,
    );
    const syncer = (await k.managed("apps/v1", "Deployment")).find((d) => d.includes("kcp-syncer"))!;
    const [ns, name] = syncer.split("/");
    await k.objects.delete({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: name!, namespace: ns! } });
    for (let i = 0; i < 50 && (await k.get("apps/v1", "Deployment", name!, ns)); i++)
        await new Promise((r) => setTimeout(r, 200));

    const preview = await p.pulumi("preview", "--refresh", "--json");
    expectOk(preview, "pulumi preview --refresh");
    const steps = changes(preview.stdout);
    t.true(
        steps.some((s) => s.includes("CatalogSource") && s.startsWith("update")),
        `catalog update in ${steps.join(", ")}`,
    );
    t.true(
        steps.some((s) => s.includes("Deployment") && s.includes("syncer") && s.startsWith("create")),
        `syncer create in ${steps.join(", ")}`,
    );

    expectOk(await p.pulumi("up", "--yes", "--refresh", "--skip-preview"), "pulumi up --refresh");
    const cs = await k.get(
        "operators.coreos.com/v1alpha1",
        "CatalogSource",
        "custom-operators",
        "openshift-marketplace",
    );
    t.not(cs?.spec.image, tampered);
    t.truthy(await k.get("apps/v1", "Deployment", name!, ns));
    expectOk(await p.pulumi("preview", "--refresh", "--expect-no-changes"), "preview after repair");
});

test("a bad Pulumi.local.yaml value fails before any resource changes", async (t) => {
    const before = await snapshot();
    const file = path.join(p.dir, "Pulumi.local.yaml");
    const good = fs.readFileSync(file, "utf8");
    const doc = YAML.parse(good);
    // The mistake upstream made in c9e9d5d/6c63f92: a backup pruner with both keep and keep-since.
    doc.config["pipeline-service:tekton"] = {
        operatorPruner: {
            disabled: false,
            keep: 10,
            keepSince: 60,
            schedule: "*/10 * * * *",
            resources: ["pipelinerun"],
        },
    };
    fs.writeFileSync(file, YAML.stringify(doc));
    try {
        const r = await p.pulumi("up", "--yes", "--skip-preview");
        t.not(r.code, 0);
        t.regex(
            r.stdout + r.stderr,
            /pipeline-service:tekton\.operatorPruner: an enabled backup pruner needs exactly one of keep or keepSince/,
        );
        t.notRegex(r.stdout, /\bcreated\b|\bupdated\b|\bdeleted\b/);
    } finally {
        fs.writeFileSync(file, good);
    }
    t.deepEqual(await snapshot(), before, "no object changed");
});

/** name → resourceVersion of every managed object. */
async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const line of await inventory(p)) {
        const [ctx, kind, nsName] = line.split(" ");
        const [ns, name] = nsName!.split("/");
        const view = p.kube(ctx!);
        const apiVersion = (
            { CatalogSource: "operators.coreos.com/v1alpha1", Subscription: "operators.coreos.com/v1alpha1" } as Record<
                string,
                string
            >
        )[kind!];
        if (!apiVersion) {
            out[line] = "present";
            continue;
        }
        const o = await view.get(apiVersion, kind!, name!, ns || undefined);
        out[line] = o?.metadata.resourceVersion ?? "missing";
    }
    return out;
}

test("SIGKILL during up: npm run recover converges with no duplicates and no orphans", async (t) => {
    expectOk(await p.pulumi("destroy", "--yes", "--skip-preview"), "destroy before the interruption test");
    t.deepEqual(await inventory(p), [], "clean slate");

    const child = p.spawnPulumi("up", "--yes", "--skip-preview");
    let created = 0;
    await new Promise<void>((resolve) => {
        const onData = (b: Buffer) => {
            created += (b.toString().match(/\bcreated\b/g) ?? []).length;
            if (created >= 15) {
                child.kill("SIGKILL");
            }
        };
        child.stdout.on("data", onData);
        child.on("exit", () => resolve());
    });
    t.true(created >= 15, "killed mid-run");

    // Recovery (README "Recovering from an interrupted update"): `npm run recover -- --stack local` releases the dead
    // update's lock, repairs the checkpoint, stops orphaned providers, drops pending operations with a refresh, then
    // up and preview --expect-no-changes. The providers apply with force, so objects the killed run created are
    // adopted under the same names. (Ten kills in a row at different points: test/e2e/recover.test.ts.)
    const recovered = await p.run("node", [
        "--import",
        "tsx",
        path.join(ROOT, "scripts", "recover.ts"),
        "--stack",
        "local",
        "--cwd",
        p.dir,
    ]);
    expectOk(recovered, "npm run recover -- --stack local");
    t.regex(recovered.stdout, /stack local converged/);

    // Every managed object is in the stack exactly once, and every stack resource exists.
    const exported = JSON.parse((await p.pulumi("stack", "export")).stdout) as {
        deployment: { resources: ExportedResource[]; pending_operations?: unknown[] };
    };
    t.deepEqual(exported.deployment.pending_operations ?? [], []);
    // Compared with the inventory where it lists that cluster and kind (kcp: SyncTargets; compute clusters:
    // COMPUTE_KINDS); the kcp-side syncer RBAC and the tenant workspaces' objects are checked in kcp-syncer and tenants.
    const objects = stackObjects(p, exported.deployment.resources);
    const inStack = objects.map((o) => o.name);
    t.is(new Set(inStack).size, inStack.length, "no resource twice in the stack");
    const live = await inventory(p);
    for (const obj of live) t.true(inStack.includes(obj), `live object ${obj} is in the stack`);
    const liveSet = new Set(live);
    for (const o of objects.filter((x) => x.inventoried))
        t.true(liveSet.has(o.name), `stack resource ${o.name} exists`);
});

test("destroy removes every managed object and leaves the CRDs", async (t) => {
    expectOk(await p.pulumi("destroy", "--yes", "--skip-preview"), "pulumi destroy");
    t.deepEqual(await inventory(p), []);
    const crd = await p
        .kube("compute-1")
        .get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "tektonconfigs.operator.tekton.dev");
    t.truthy(crd, "TektonConfig CRD remains");
    // The real kcp serves SyncTargets through its own APIBinding to root's workload.kcp.io export, not a CRD.
    const bindings = await p.kube("kcp").objects.list("apis.kcp.io/v1alpha1", "APIBinding");
    t.true(
        bindings.items.some(
            (b) =>
                (b as { spec?: { reference?: { export?: { name?: string } } } }).spec?.reference?.export?.name ===
                "workload.kcp.io",
        ),
        "the SyncTarget API stays bound in the kcp workspace",
    );
});
