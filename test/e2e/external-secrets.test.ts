/**
 * The local stack's secrets through the real External Secrets controller (v0.16.2, scripts/eso.ts): on each compute
 * cluster the stack's ClusterSecretStores (kind kubernetes, Pulumi.local.yaml `secretStore`) become Ready, every
 * ExternalSecret reaches Ready and its target Secret exists with the seeded fake values. With
 * `kcp.credentials: externalSecret`, the syncer's kubeconfig Secret is the one the controller renders from its
 * template. A referenced store that does not exist fails the preview, naming the store and the cluster. Last,
 * `npm run cluster -- down` stops the controllers too.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { eventually, expectOk, Project, ROOT, type RunResult } from "./harness.js";

let p: Project;
const CLUSTERS = ["compute-1", "compute-2"];

function eso(...args: string[]): Promise<RunResult> {
    return p.run(
        "node",
        ["--import", "tsx", path.join(ROOT, "scripts", "eso.ts"), ...args, "--state-dir", path.join(p.dir, ".local")],
        {
            timeoutMs: 5 * 60_000,
        },
    );
}

const ready = (o: Record<string, any> | undefined) =>
    (o?.status?.conditions ?? []).some(
        (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
    );

test.before(async () => {
    p = await Project.create("e2e-eso");
    await p.clusterUp();
    expectOk(await eso("start"), "eso.ts start");
    await p.initStack();
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up");
    // Keys the stack reads that eso.ts start did not derive from the config (none expected; logged when there are).
    const seeded = await eso("seed");
    expectOk(seeded, "eso.ts seed");
    console.log(seeded.stderr.trim());
});

test.after.always(async () => {
    if (!p) return;
    await eso("stop");
    const down = await p.clusterDown(true);
    if (down.code !== 0) console.error(down.stderr);
    p.cleanup();
});

test("every ExternalSecret reaches Ready through the real controller and its target Secret exists", async (t) => {
    for (const ctx of CLUSTERS) {
        const k = p.kube(ctx);
        const list = async () =>
            (await k.objects.list("external-secrets.io/v1", "ExternalSecret")).items as unknown as Record<
                string,
                any
            >[];
        const all = await list();
        t.true(all.length >= 3, `${ctx}: the stack declares its ExternalSecrets (${all.length})`);
        const deadline = Date.now() + 180_000;
        let pending = all;
        while (Date.now() < deadline) {
            pending = (await list()).filter((es) => !ready(es));
            if (!pending.length) break;
            await new Promise((r) => setTimeout(r, 2000));
        }
        t.deepEqual(
            pending.map(
                (es) => `${es.metadata.namespace}/${es.metadata.name}: ${JSON.stringify(es.status?.conditions ?? [])}`,
            ),
            [],
            `${ctx}: ExternalSecrets not Ready`,
        );
        for (const es of await list()) {
            const target = es.spec.target?.name ?? es.metadata.name;
            const secret = await k.get("v1", "Secret", target, es.metadata.namespace);
            t.truthy(secret, `${ctx}: Secret ${es.metadata.namespace}/${target} of ${es.metadata.name}`);
            t.true(Object.keys(secret?.data ?? {}).length > 0, `${ctx}: ${target} has data`);
        }
        for (const store of (await k.objects.list("external-secrets.io/v1", "ClusterSecretStore"))
            .items as unknown as Record<string, any>[]) {
            t.true(
                ready(store),
                `${ctx}: ClusterSecretStore ${store.metadata.name} Ready (${JSON.stringify(store.status?.conditions)})`,
            );
            t.truthy(store.spec.provider.kubernetes, `${ctx}: ${store.metadata.name} is of kind kubernetes`);
        }
        const pac = await k.get("v1", "Secret", "pipelines-as-code-secret", "openshift-pipelines");
        t.is(Buffer.from(pac?.data?.["webhook.secret"] ?? "", "base64").toString(), "fake-webhook-not-a-secret");
        t.is(
            pac?.metadata?.ownerReferences?.[0]?.kind,
            "ExternalSecret",
            `${ctx}: the Secret is owned by its ExternalSecret (creationPolicy Owner)`,
        );
    }
    const st = await eso("status");
    t.regex(st.stdout, /compute-1\trunning pid \d+/);
    t.regex(st.stdout, /compute-2\trunning pid \d+/);
});

test("kcp.credentials externalSecret: the real controller renders each syncer's kubeconfig Secret from the store", async (t) => {
    expectOk(
        await p.pulumi("config", "set", "--path", "pipeline-service:kcp.credentials", "externalSecret"),
        "config set kcp.credentials",
    );
    try {
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up (externalSecret credentials)");
        const seeded = await eso("seed");
        expectOk(seeded, "eso.ts seed");
        for (const ctx of CLUSTERS) {
            const k = p.kube(ctx);
            const find = async () =>
                (
                    (await k.objects.list("external-secrets.io/v1", "ExternalSecret")).items as unknown as Record<
                        string,
                        any
                    >[]
                ).find((es) => es.metadata.name.startsWith(`kcp-syncer-${ctx}-`));
            const es = await eventually(
                `${ctx}: the syncer's ExternalSecret Ready`,
                async () => {
                    const o = await find();
                    return o && ready(o) ? o : undefined;
                },
                180_000,
            );
            t.regex(
                es.spec.data?.[0]?.remoteRef?.key ?? es.spec.dataFrom?.[0]?.extract?.key ?? "",
                new RegExp(`${ctx}.kcp-syncer$`),
            );
            const secret = await eventually(
                `${ctx}: Secret ${es.metadata.namespace}/${es.metadata.name}`,
                async () => {
                    const o = await k.get("v1", "Secret", es.metadata.name, es.metadata.namespace);
                    return o?.metadata?.ownerReferences?.some((r: any) => r.kind === "ExternalSecret") ? o : undefined;
                },
                120_000,
            );
            const kubeconfig = Buffer.from(Object.values(secret.data ?? {})[0] as string, "base64").toString("utf8");
            t.regex(kubeconfig, /server: https:\/\/127\.0\.0\.1:\d+\n/, `${ctx}: the kcp server, without a path`);
            t.notRegex(kubeconfig, /\{\{/, `${ctx}: the template is rendered`);
            t.regex(kubeconfig, /token: /, `${ctx}: the token from the store`);
        }
    } finally {
        expectOk(
            await p.pulumi("config", "rm", "--path", "pipeline-service:kcp.credentials"),
            "config rm kcp.credentials",
        );
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up (credentials back)");
    }
});

test("a referenced store that does not exist fails the preview, naming the store and the cluster", async (t) => {
    expectOk(
        await p.pulumi("config", "set", "--path", "pipeline-service:secretStore.manage", "false"),
        "config set manage",
    );
    expectOk(
        await p.pulumi("config", "set", "--path", "pipeline-service:secretStore.name", "no-such-store"),
        "config set name",
    );
    try {
        const r = await p.pulumi("preview");
        t.not(r.code, 0, "the preview fails");
        t.regex(r.stdout + r.stderr, /compute-1-store-ref-no-such-store/);
        t.regex(r.stdout + r.stderr, /no-such-store/);
    } finally {
        expectOk(await p.pulumi("config", "rm", "--path", "pipeline-service:secretStore.name"), "config rm name");
        expectOk(
            await p.pulumi("config", "set", "--path", "pipeline-service:secretStore.manage", "true"),
            "config set manage back",
        );
    }
});

test("cluster down also stops the External Secrets controllers npm run up starts", async (t) => {
    const pids = fs
        .readdirSync(path.join(p.dir, ".local", "eso"))
        .filter((f) => f.endsWith(".pid"))
        .map((f) => Number(fs.readFileSync(path.join(p.dir, ".local", "eso", f), "utf8")));
    t.is(pids.length, CLUSTERS.length);
    const down = await p.clusterDown(false);
    t.is(down.code, 0, down.stderr);
    t.regex(down.stderr + down.stdout, /down: stopped 2 External Secrets controller\(s\)/);
    for (const pid of pids)
        t.false(
            fs.existsSync(`/proc/${pid}`) && !/ Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")),
            `pid ${pid}`,
        );
});
