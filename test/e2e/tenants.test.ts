/**
 * Phase 1 on the real kcp v0.11.0: the syncers as deployed, the workspace pruner, and tenants, pools and access
 * (issues 8 §4-§5 and 12 §4).
 * After `pulumi up` of the isolated project (test/e2e/harness.ts), `npm run cluster -- syncers start` runs each
 * syncer Deployment the program deployed as a local `syncer` process (its args and env, its ServiceAccount's token
 * on the compute cluster, the kubeconfig from its Secret); it fails naming the object when one cannot start, and so
 * does the suite (before). Then:
 *
 * - every SyncTarget is Ready with `pipelineruns` Accepted and no `taskruns`; each tenant workspace's APIBinding is
 *   Bound, and it serves `pipelineruns`, never `taskruns`;
 * - a PipelineRun created in a tenant's workspace lands on a cluster of its pool and never on the other
 *   (tenant-a: pool isolated = compute-2; tenant-b: pool general = compute-1); deleting it in kcp deletes it
 *   downstream;
 * - a pool whose only SyncTarget is unschedulable places no new PipelineRun anywhere; schedulable again, it lands;
 * - `npm run prune-workspaces` refuses while `kcp.workspacePruner` is off; on (keep 1), it deletes in kcp only the
 *   finished runs beyond the newest of each namespace, never a running one, and the syncer deletes them downstream;
 * - a group of the tenant may create PipelineRuns in its workspace and not in the other tenant's; revoking it (an edit
 *   of `tenants[].access`) previews as a change of that binding only, and afterwards `kubectl auth can-i --as` says no;
 * - onboarding a tenant (a new entry) previews as exactly that tenant's objects, and its PipelineRuns land on its
 *   pool; offboarding it (removing the entry) previews as exactly their deletion, is refused while one of its
 *   PipelineRuns still runs (bounded by drain.timeoutSeconds, naming it, nothing deleted), and once it finished
 *   (a status written downstream comes back to kcp) removes the workspace and, through the syncer, its PipelineRuns
 *   downstream.
 *
 * Everything listens and dials on 127.0.0.1 only.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { eventually, expectOk, Project, ROOT } from "./harness.js";

const WS = (tenant: string) => `root:pipeline-service:${tenant}`;
const CLUSTERS = ["compute-1", "compute-2"];

let p: Project;

/** kubectl against a context of the project's kubeconfig (a kcp workspace with `ws`). */
const kubectl = (context: string, args: string[], ws?: string, input?: string) =>
    p.kubectl(context, args, { ws, input });

/** `kubectl auth can-i <verb> <resource>` in a tenant workspace as a user in `group`: true for "yes". */
async function canI(ws: string, verb: string, resource: string, group: string): Promise<boolean> {
    const out = await kubectl(
        "kcp",
        ["auth", "can-i", verb, resource, "--as", "e2e-user", "--as-group", group],
        ws,
    ).catch((e: { stdout?: string }) => e.stdout ?? "");
    return out.trim() === "yes";
}

/** The clusters on which a PipelineRun of that name exists downstream. */
async function landedOn(name: string): Promise<string[]> {
    const out: string[] = [];
    for (const c of CLUSTERS) {
        const list = JSON.parse(
            await kubectl(c, ["get", "pipelineruns.tekton.dev", "--all-namespaces", "-o", "json"]),
        ) as { items: { metadata: { name: string } }[] };
        if (list.items.some((o) => o.metadata.name === name)) out.push(c);
    }
    return out;
}

async function createRun(ws: string, ns: string, name: string): Promise<void> {
    await kubectl("kcp", ["create", "namespace", ns], ws).catch(() => "");
    await kubectl(
        "kcp",
        ["apply", "-f", "-"],
        ws,
        JSON.stringify({
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            metadata: { name, namespace: ns },
            spec: {
                pipelineSpec: {
                    tasks: [
                        {
                            name: "t",
                            taskSpec: { steps: [{ name: "s", image: "registry.invalid/noop:1", script: "true" }] },
                        },
                    ],
                },
            },
        }),
    );
}

/**
 * Finish a PipelineRun as a controller would: write `Succeeded=True` (and `completionTime`) on its downstream copy,
 * then wait until the syncer has brought that status back to its kcp workspace `ws`.
 */
async function finishDownstream(ws: string, namespace: string, name: string, completionTime: string): Promise<void> {
    const where = (await landedOn(name))[0];
    if (!where) throw new Error(`${name} is on no compute cluster`);
    const list = JSON.parse(await kubectl(where, ["get", "pipelineruns.tekton.dev", "--all-namespaces", "-o", "json"]));
    const ns = list.items.find((o: any) => o.metadata.name === name).metadata.namespace;
    await kubectl(where, [
        "patch",
        "pipelineruns.tekton.dev",
        name,
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({
            status: {
                completionTime,
                conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded", message: "finished (e2e)" }],
            },
        }),
    ]);
    await eventually(
        `${name}'s finished status in kcp`,
        async () => {
            const o = JSON.parse(
                await kubectl("kcp", ["get", "pipelineruns.tekton.dev", name, "-n", namespace, "-o", "json"], ws),
            );
            return (o.status?.conditions ?? []).some((c: any) => c.type === "Succeeded" && c.status === "True")
                ? true
                : undefined;
        },
        60_000,
    );
}

/** Rewrite the project's Pulumi.local.yaml `pipeline-service:tenants`. */
function editTenants(change: (tenants: any[]) => void): void {
    const file = path.join(p.dir, "Pulumi.local.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
    change(doc.config["pipeline-service:tenants"]);
    fs.writeFileSync(file, `# yaml-language-server: $schema=./schema/stack.schema.json\n${YAML.stringify(doc)}`);
}

/** Rewrite the project's Pulumi.local.yaml `config` (other keys). */
function editConfig(change: (config: Record<string, any>) => void): void {
    const file = path.join(p.dir, "Pulumi.local.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
    change(doc.config);
    fs.writeFileSync(file, `# yaml-language-server: $schema=./schema/stack.schema.json\n${YAML.stringify(doc)}`);
}

/** The steps of a preview that change something: `<op> <type> <name>`. */
async function previewChanges(): Promise<string[]> {
    const r = await p.pulumi("preview", "--json");
    expectOk(r, "pulumi preview --json");
    const steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
    return steps
        .filter((s) => s.op !== "same" && s.op !== "read")
        .map((s) => {
            const parts = s.urn.split("::");
            return `${s.op} ${parts[2]!.split("$").pop()} ${parts[3]}`;
        })
        .sort();
}

test.before(async () => {
    p = await Project.create("tenants", 2);
    await p.clusterUp();
    await p.initStack();
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up");
    // The syncers as deployed: this fails naming the Deployment, Secret or ServiceAccount when one cannot start.
    expectOk(await p.syncers("start"), "syncers start (the syncers as the program deployed them)");
    await servesPipelineRuns(["tenant-a", "tenant-b"]);
});

/** Wait until each tenant's workspace serves PipelineRuns (the syncers' API imports reach the APIExport seconds after they start). */
async function servesPipelineRuns(tenants: string[]): Promise<void> {
    for (const tenant of tenants) {
        await eventually(
            `${WS(tenant)} serves pipelineruns.tekton.dev`,
            async () =>
                (await kubectl("kcp", ["api-resources", "--api-group=tekton.dev", "-o", "name"], WS(tenant)))
                    .split("\n")
                    .includes("pipelineruns.tekton.dev")
                    ? true
                    : undefined,
            120_000,
        );
    }
}

test.after.always(async () => {
    if (!p) return;
    await p.syncers("stop");
    await p.clusterDown(true);
    if (process.env.KEEP_E2E_DIR) console.log(`kept ${p.dir}`);
    else p.cleanup();
});

const COMPUTE_WS = "root:pipeline-service:compute";

test.serial("every SyncTarget is Ready with pipelineruns Accepted and no taskruns", async (t) => {
    for (const c of CLUSTERS) {
        const st = await eventually(
            `SyncTarget ${c} Ready with pipelineruns Accepted`,
            async () => {
                const o = await p.kubectlJson("kcp", ["get", "synctargets.workload.kcp.io", c], COMPUTE_WS);
                const ready = (o.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True");
                const pr = (o.status?.syncedResources ?? []).find(
                    (r: any) => r.resource === "pipelineruns" && r.group === "tekton.dev",
                );
                return ready && pr?.state === "Accepted" ? o : undefined;
            },
            120_000,
        );
        const synced = (st.status.syncedResources as any[]).map((r) => `${r.resource}.${r.group}`);
        t.false(synced.includes("taskruns.tekton.dev"), `${c} syncs ${synced.join(", ")}`);
    }
});

test.serial(
    "each tenant workspace is Bound to the compute workspace and serves pipelineruns, never taskruns",
    async (t) => {
        for (const tenant of ["tenant-a", "tenant-b"]) {
            const bindings = await p.kubectlJson("kcp", ["get", "apibindings.apis.kcp.io"], WS(tenant));
            const b = (bindings.items as any[]).find(
                (x) => x.spec?.reference?.export?.path === COMPUTE_WS && x.spec.reference.export.name === "kubernetes",
            );
            t.truthy(b, `${tenant} has the APIBinding to ${COMPUTE_WS}:kubernetes`);
            t.is(b?.status?.phase, "Bound", `${tenant}'s binding`);
            const resources = await kubectl(
                "kcp",
                ["api-resources", "--api-group=tekton.dev", "-o", "name"],
                WS(tenant),
            );
            t.true(resources.split("\n").includes("pipelineruns.tekton.dev"), `${tenant} serves pipelineruns`);
            t.false(/(^|\n)taskruns\./.test(resources), `${tenant} must not serve taskruns: ${resources}`);
            const err = await kubectl("kcp", ["get", "taskruns.tekton.dev"], WS(tenant)).then(
                () => "",
                (e) => String((e as { stderr?: string }).stderr ?? e),
            );
            t.regex(err, /doesn't have a resource type|not found|could not find/i);
        }
    },
);

test.serial("each tenant's PipelineRuns land on a cluster of its pool and never on the other", async (t) => {
    for (const [tenant, pool] of [
        ["tenant-a", "compute-2"],
        ["tenant-b", "compute-1"],
    ] as const) {
        for (let i = 0; i < 3; i++) {
            const name = `pr-${tenant}-${i}`;
            await createRun(WS(tenant), `e2e-pool-${i}`, name);
            const where = await eventually(
                `${name} downstream`,
                async () => ((await landedOn(name)).length ? landedOn(name) : undefined),
                90_000,
            );
            t.deepEqual(where, [pool], `${name} landed on ${where.join(", ")}`);
        }
    }
});

test.serial("a PipelineRun deleted in kcp is deleted downstream", async (t) => {
    await createRun(WS("tenant-b"), "e2e-delete", "pr-delete");
    t.deepEqual(
        await eventually(
            "pr-delete downstream",
            async () => ((await landedOn("pr-delete")).length ? landedOn("pr-delete") : undefined),
            90_000,
        ),
        ["compute-1"],
    );
    await kubectl(
        "kcp",
        ["delete", "pipelineruns.tekton.dev", "pr-delete", "-n", "e2e-delete", "--wait=false"],
        WS("tenant-b"),
    );
    await eventually(
        "pr-delete gone downstream",
        async () => ((await landedOn("pr-delete")).length ? undefined : true),
        90_000,
    );
    t.pass();
});

test.serial(
    "a pool whose only SyncTarget is unschedulable places no new PipelineRun; schedulable again, it lands",
    async (t) => {
        const schedulable = (on: boolean) =>
            kubectl(
                "kcp",
                [
                    "patch",
                    "synctargets.workload.kcp.io",
                    "compute-2",
                    "--type=merge",
                    "-p",
                    JSON.stringify({ spec: { unschedulable: !on } }),
                ],
                COMPUTE_WS,
            );
        await schedulable(false);
        try {
            await createRun(WS("tenant-a"), "e2e-unschedulable", "pr-unschedulable");
            // A schedulable pool places a run within seconds (the pool test above); 30 s with nowhere to go is a refusal.
            await new Promise((r) => setTimeout(r, 30_000));
            t.deepEqual(
                await landedOn("pr-unschedulable"),
                [],
                "placed nowhere while its pool's only SyncTarget is unschedulable",
            );
        } finally {
            await schedulable(true);
        }
        t.deepEqual(
            await eventually(
                "pr-unschedulable downstream once compute-2 is schedulable",
                async () => ((await landedOn("pr-unschedulable")).length ? landedOn("pr-unschedulable") : undefined),
                120_000,
            ),
            ["compute-2"],
        );
    },
);

test.serial(
    "npm run prune-workspaces: off by default; on, it deletes only finished runs beyond keep, in kcp and through the syncer downstream",
    async (t) => {
        const prune = (...args: string[]) =>
            p.run("node", [
                "--import",
                "tsx",
                path.join(ROOT, "scripts", "prune-workspaces.ts"),
                "--stack",
                "local",
                "--cwd",
                p.dir,
                ...args,
            ]);
        const off = await prune();
        t.is(off.code, 1);
        t.regex(
            off.stderr,
            /the workspace pruner is off \(pipeline-service:kcp.workspacePruner.enabled\); nothing was deleted/,
        );

        for (const name of ["pr-prune-old", "pr-prune-new", "pr-prune-running"])
            await createRun(WS("tenant-b"), "e2e-prune", name);
        for (const name of ["pr-prune-old", "pr-prune-new", "pr-prune-running"])
            await eventually(
                `${name} downstream`,
                async () => ((await landedOn(name)).length ? true : undefined),
                90_000,
            );
        await finishDownstream(
            WS("tenant-b"),
            "e2e-prune",
            "pr-prune-old",
            new Date(Date.now() - 3_600_000).toISOString(),
        );
        await finishDownstream(WS("tenant-b"), "e2e-prune", "pr-prune-new", new Date().toISOString());

        editConfig((c) => {
            c["pipeline-service:kcp"] = { ...c["pipeline-service:kcp"], workspacePruner: { enabled: true, keep: 1 } };
        });
        try {
            const dry = await prune("--dry-run");
            expectOk(dry, "prune-workspaces --dry-run");
            t.regex(
                dry.stdout,
                /root:pipeline-service:tenant-b: \d+ PipelineRuns, \d+ running, 1 would delete\n  would delete e2e-prune\/pr-prune-old\n/,
            );
            t.regex(dry.stdout, /root:pipeline-service:tenant-a: \d+ PipelineRuns, \d+ running, 0 would delete/);
            t.deepEqual(await landedOn("pr-prune-old"), ["compute-1"], "a dry run deletes nothing");

            const real = await prune();
            expectOk(real, "prune-workspaces");
            t.regex(real.stdout, /  deleted e2e-prune\/pr-prune-old\n/);
            t.regex(
                real.stdout,
                /prune-workspaces: 2 workspaces, 1 PipelineRuns deleted \(keep 1 per namespace, at most 500\)/,
            );
            const inKcp = JSON.parse(
                await kubectl(
                    "kcp",
                    ["get", "pipelineruns.tekton.dev", "-n", "e2e-prune", "-o", "json"],
                    WS("tenant-b"),
                ),
            );
            t.deepEqual(inKcp.items.map((o: any) => o.metadata.name).sort(), ["pr-prune-new", "pr-prune-running"]);
            await eventually(
                "pr-prune-old gone downstream",
                async () => ((await landedOn("pr-prune-old")).length ? undefined : true),
                90_000,
            );
            t.deepEqual(await landedOn("pr-prune-running"), ["compute-1"], "the running one stays downstream");
        } finally {
            editConfig((c) => {
                delete c["pipeline-service:kcp"].workspacePruner;
            });
        }
    },
);

test.serial(
    "a tenant's group may create PipelineRuns in its workspace only; revoking it changes only its binding, then it is refused",
    async (t) => {
        t.true(
            await canI(WS("tenant-a"), "create", "pipelineruns.tekton.dev", "tenant-a-developers"),
            "tenant-a-developers in tenant-a",
        );
        t.true(
            await canI(WS("tenant-a"), "list", "pipelineruns.tekton.dev", "tenant-a-viewers"),
            "tenant-a-viewers may read",
        );
        t.false(
            await canI(WS("tenant-a"), "create", "pipelineruns.tekton.dev", "tenant-a-viewers"),
            "viewers may not create",
        );
        t.false(
            await canI(WS("tenant-a"), "create", "pipelineruns.tekton.dev", "tenant-b-developers"),
            "tenant-b's group in tenant-a",
        );
        t.false(await canI(WS("tenant-a"), "get", "secrets", "tenant-a-viewers"), "viewers read no Secrets");

        editTenants((ts) => {
            ts.find((x) => x.name === "tenant-a").access.edit.groups = [];
        });
        t.deepEqual(await previewChanges(), [
            "delete kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding tenant-tenant-a-edit",
        ]);
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up (revoke)");
        t.false(await canI(WS("tenant-a"), "create", "pipelineruns.tekton.dev", "tenant-a-developers"), "revoked");
        t.true(
            await canI(WS("tenant-a"), "create", "pipelineruns.tekton.dev", "tenant-a-admins"),
            "the admins keep theirs",
        );
    },
);

test.serial(
    "onboarding previews exactly the tenant's objects and places it on its pool; offboarding removes exactly those",
    async (t) => {
        editTenants((ts) => {
            ts.push({ name: "tenant-c", pool: "general", access: { edit: { groups: ["tenant-c-developers"] } } });
        });
        const created = await previewChanges();
        t.true(created.length > 0);
        t.true(
            created.every((s) => s.startsWith("create ") && /tenant-tenant-c/.test(s)),
            created.join("\n"),
        );
        t.true(
            created.includes("create kubernetes:tenancy.kcp.io/v1alpha1:Workspace tenant-tenant-c-workspace"),
            created.join("\n"),
        );
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up (onboard)");
        await servesPipelineRuns(["tenant-c"]);
        t.true(await canI(WS("tenant-c"), "create", "pipelineruns.tekton.dev", "tenant-c-developers"));
        await createRun(WS("tenant-c"), "e2e-onboard", "pr-tenant-c");
        t.deepEqual(
            await eventually(
                "pr-tenant-c downstream",
                async () => ((await landedOn("pr-tenant-c")).length ? landedOn("pr-tenant-c") : undefined),
                90_000,
            ),
            ["compute-1"],
        );

        editTenants((ts) => {
            ts.splice(
                ts.findIndex((x) => x.name === "tenant-c"),
                1,
            );
        });
        const deleted = await previewChanges();
        t.deepEqual(deleted, created.map((s) => s.replace(/^create /, "delete ")).sort());
        // The run has not finished (no Succeeded condition): with a zero drain bound the up refuses, naming it, and
        // nothing is deleted.
        editConfig((c) => {
            c["pipeline-service:drain"] = { timeoutSeconds: 0 };
        });
        const refused = await p.pulumi("up", "--yes", "--skip-preview");
        t.not(refused.code, 0);
        t.regex(
            refused.stdout + refused.stderr,
            /tenant tenant-c is being offboarded, but 1 PipelineRun\(s\) still run .*e2e-onboard\/pr-tenant-c/,
        );
        t.regex(
            await kubectl("kcp", ["get", "workspaces.tenancy.kcp.io", "-o", "name"], "root:pipeline-service"),
            /tenant-c/,
            "nothing was deleted",
        );
        // It finishes (the status is written downstream, as a controller would, and the syncer brings it back to kcp).
        await finishDownstream(WS("tenant-c"), "e2e-onboard", "pr-tenant-c", new Date().toISOString());
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up (offboard, drained)");
        const workspaces = await kubectl(
            "kcp",
            ["get", "workspaces.tenancy.kcp.io", "-o", "name"],
            "root:pipeline-service",
        );
        t.false(/tenant-c/.test(workspaces), workspaces);
        t.deepEqual(
            await eventually(
                "pr-tenant-c gone downstream",
                async () => ((await landedOn("pr-tenant-c")).length ? undefined : []),
                180_000,
            ),
            [],
        );
        expectOk(await p.pulumi("preview", "--expect-no-changes"), "no changes after offboarding");
    },
);
