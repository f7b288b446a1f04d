/**
 * The hermetic toolchain and the local control plane, as the toolchain issue accepts them: pinned versions,
 * plugins in the cache, CRDs on every cluster, the real schemas rejecting wrongly typed fields, `up` twice,
 * `down` leaving no process, and clear failures (unknown version, failed build, port taken) that leave nothing in
 * the cache. kcp (issue 8 §1, §2, §5): the `kcp` context is a real kcp v0.11.0 with the stack's workspaces Ready,
 * the compute clusters serve what the syncer needs, and `syncers start` runs the syncer a Deployment declares.
 */
import test, { ExecutionContext } from "ava";
import { sh } from "../../scripts/lib/scratch.js";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import {
    COMPUTE_WORKSPACE,
    DEFAULT_TENANT_WORKSPACES,
    stackWorkspaces,
    workspacesToCreate,
} from "../../scripts/cluster.js";
import { ROOT } from "./harness.js";

const BIN = path.join(ROOT, ".tools", "bin");
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ""}`, NO_COLOR: "1" };
const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8"));
const pkg = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version as string;

/** A command in the checkout with the test's environment: exit code and stdout+stderr. */
async function run(
    cmd: string,
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
    timeout = 300_000,
): Promise<{ code: number; out: string }> {
    const r = await sh(cmd, args, { cwd: ROOT, env: { ...env, ...extraEnv }, timeoutMs: timeout });
    return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-toolchain-"));
const cluster = (...args: string[]) =>
    run("node", ["--import", "tsx", path.join(ROOT, "scripts", "cluster.ts"), ...args, "--state-dir", stateDir]);
const kubectl = (context: string, ...args: string[]) =>
    run("kubectl", ["--kubeconfig", path.join(stateDir, "kubeconfig"), "--context", context, ...args]);

/** Every live process whose command line mentions the state dir. */
function processesUsing(dir: string): string[] {
    const out: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        try {
            const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            if (cmd.includes(dir) && !/ Z /.test(stat.slice(stat.lastIndexOf(")"))))
                out.push(`${pid} ${cmd.slice(0, 120)}`);
        } catch {
            /* gone */
        }
    }
    return out;
}

test.after.always(async () => {
    await cluster("down", "--purge");
    fs.rmSync(stateDir, { recursive: true, force: true });
});

test.serial("the pinned pulumi, language host and SDK agree on one version", async (t) => {
    const v = await run(path.join(BIN, "pulumi"), ["version"]);
    t.is(v.out.trim(), `v${versions.pulumi.version}`);
    t.is(pkg("@pulumi/pulumi"), versions.pulumi.version, "package.json pins @pulumi/pulumi at the CLI's version");
    t.true(fs.existsSync(path.join(BIN, "pulumi-language-nodejs")));
    const node = await run(path.join(BIN, "node"), ["-p", "process.versions.node"]);
    t.true(Number(node.out.split(".")[0]) >= 22, `node ${node.out.trim()} is 22+`);
});

test.serial(
    "plugin ls lists the kubernetes plugin at the SDK's exact version; random and command are recorded as blocked",
    async (t) => {
        const r = await run(path.join(BIN, "pulumi"), ["plugin", "ls", "--json"]);
        t.is(r.code, 0, r.out);
        const plugins = JSON.parse(r.out) as { name: string; kind: string; version: string }[];
        t.true(
            plugins.some(
                (p) => p.name === "kubernetes" && p.kind === "resource" && p.version === pkg("@pulumi/kubernetes"),
            ),
        );
        t.is(versions.plugins.kubernetes.version, pkg("@pulumi/kubernetes"));
        for (const name of ["random", "command"]) {
            t.is(versions.plugins[name].version, pkg(`@pulumi/${name}`), `${name}: versions.json follows the SDK`);
            const built = plugins.some((p) => p.name === name);
            // Either it is really installed, or versions.json says why it cannot be built here; never silently absent.
            t.true(
                built || typeof versions.plugins[name].unavailable === "string",
                `${name} is installed or recorded as blocked`,
            );
        }
        const tools = await run("bash", [path.join(ROOT, "scripts", "tools.sh")]);
        t.is(tools.code, 0, tools.out);
        t.regex(tools.out, /plugin random 4\.21\.2: BLOCKED, not built: the Go module proxy does not serve/);
    },
);

test("the stack file names the kcp workspaces; parents are created first", (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-ws-"));
    try {
        const f = path.join(dir, "Pulumi.local.yaml");
        t.deepEqual(
            stackWorkspaces(f),
            { compute: COMPUTE_WORKSPACE, tenants: DEFAULT_TENANT_WORKSPACES },
            "no file: the defaults",
        );
        fs.writeFileSync(
            f,
            "config:\n  pipeline-service:kcp:\n    enabled: true\n    consumerWorkspaces: [root:org:team-x, {path: root:pipeline-service:t2}]\n",
        );
        t.deepEqual(stackWorkspaces(f), {
            compute: COMPUTE_WORKSPACE,
            tenants: ["root:org:team-x", "root:pipeline-service:t2"],
        });
        t.deepEqual(workspacesToCreate([COMPUTE_WORKSPACE, "root:org:team-x", "root:pipeline-service:t2"]), [
            "root:pipeline-service",
            COMPUTE_WORKSPACE,
            "root:org",
            "root:org:team-x",
            "root:pipeline-service:t2",
        ]);
        fs.writeFileSync(f, "config:\n  pipeline-service:kcp:\n    consumerWorkspaces: [Root:Bad]\n");
        t.throws(() => stackWorkspaces(f), { message: /'Root:Bad' is not a kcp workspace path below root/ });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

const kubeconfigOf = () => path.join(stateDir, "kubeconfig");
const stackWs = stackWorkspaces(path.join(ROOT, "Pulumi.local.yaml"));

test.serial(
    "cluster up: a real kcp with the stack's workspaces Ready and two compute clusters with the upstream CRDs; up twice is harmless",
    async (t) => {
        const up = await cluster("up");
        t.is(up.code, 0, up.out);
        const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
        t.deepEqual(
            state.clusters.map((c: { name: string }) => c.name),
            ["kcp", "compute-1", "compute-2"],
        );
        // It holds the system:masters token, as do the kubeconfigs: owner-only.
        for (const f of [path.join(stateDir, "cluster", "state.json"), kubeconfigOf()])
            t.is(fs.statSync(f).mode & 0o777, 0o600, `${f} is 0600`);
        const kcpEntry = state.clusters[0];
        const ports = [
            state.etcd.clientPort,
            state.etcd.peerPort,
            ...state.clusters.map((c: { port: number }) => c.port),
            kcpEntry.etcdClientPort,
            kcpEntry.etcdPeerPort,
        ];
        t.is(new Set(ports).size, 7, "one port per listener (etcd x2, kcp, kcp's embedded etcd x2, two apiservers)");

        for (const ctx of ["compute-1", "compute-2"]) {
            const crds = await kubectl(ctx, "get", "crd", "-o", "name");
            for (const crd of [
                "catalogsources.operators.coreos.com",
                "subscriptions.operators.coreos.com",
                "operatorgroups.operators.coreos.com",
                "clusterserviceversions.operators.coreos.com",
                "installplans.operators.coreos.com",
                "tektonconfigs.operator.tekton.dev",
                "applications.argoproj.io",
                "appprojects.argoproj.io",
                "applicationsets.argoproj.io",
                "externalsecrets.external-secrets.io",
                "secretstores.external-secrets.io",
                "clustersecretstores.external-secrets.io",
                "servicemonitors.monitoring.coreos.com",
                "prometheusrules.monitoring.coreos.com",
                "routes.route.openshift.io",
                "imagedigestmirrorsets.config.openshift.io",
                "securitycontextconstraints.security.openshift.io",
                "pipelineruns.tekton.dev",
                "pipelines.tekton.dev",
                "tasks.tekton.dev",
                "taskruns.tekton.dev",
                "repositories.pipelinesascode.tekton.dev",
            ]) {
                t.true(crds.out.includes(`customresourcedefinition.apiextensions.k8s.io/${crd}`), `${ctx}: ${crd}`);
            }
            // What the syncer reads: the resources it syncs are served, and the DNS processor's default/kubernetes Endpoints.
            const served = await kubectl(ctx, "api-resources", "-o", "name");
            for (const r of [
                "pipelineruns.tekton.dev",
                "pipelines.tekton.dev",
                "tasks.tekton.dev",
                "repositories.pipelinesascode.tekton.dev",
            ]) {
                t.true(served.out.split("\n").includes(r), `${ctx} serves ${r}`);
            }
            const pr = JSON.parse((await kubectl(ctx, "get", "crd", "pipelineruns.tekton.dev", "-o", "json")).out);
            t.deepEqual(pr.spec.conversion, { strategy: "None" }, "Tekton's conversion webhook is replaced by None");
            t.deepEqual(
                pr.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name),
                ["v1beta1", "v1"],
            );
            // (kubectl warns on stderr, after this output, that v1 Endpoints is deprecated.)
            const ep = await kubectl(
                ctx,
                "get",
                "endpoints",
                "kubernetes",
                "-n",
                "default",
                "-o",
                "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}",
            );
            t.true(ep.out.startsWith("192.0.2.1:6443"), `a TEST-NET-1 address nothing connects to: ${ep.out}`);
        }

        // The kcp context is a real kcp: its own API groups, no Kubernetes CRDs of the compute clusters.
        const api = await kubectl("kcp", "api-resources", "-o", "name");
        t.is(api.code, 0, api.out);
        const apis = api.out.split("\n");
        for (const r of [
            "synctargets.workload.kcp.io",
            "workspaces.tenancy.kcp.io",
            "apibindings.apis.kcp.io",
            "apiexports.apis.kcp.io",
            "locations.scheduling.kcp.io",
            "placements.scheduling.kcp.io",
        ]) {
            t.true(apis.includes(r), `kcp serves ${r}`);
        }
        t.false(
            apis.some((r) => r.includes("tekton")),
            "the compute workspace serves no Tekton API before a syncer imports one",
        );
        const version = JSON.parse((await kubectl("kcp", "get", "--raw", "/version")).out);
        t.regex(version.gitVersion, new RegExp(`\\+kcp-v${versions.kcp.version.replace(/\./g, "\\.")}$`));
        const kc = JSON.parse(
            (await run("kubectl", ["--kubeconfig", kubeconfigOf(), "config", "view", "-o", "json"])).out,
        );
        const server = (name: string) =>
            kc.clusters.find((c: { name: string }) => c.name === name).cluster.server as string;
        t.is(
            server("kcp"),
            `https://127.0.0.1:${kcpEntry.port}/clusters/${stackWs.compute}`,
            "the program's kcp provider lands in the compute workspace",
        );
        t.is(server("kcp-root"), `https://127.0.0.1:${kcpEntry.port}/clusters/root`);

        // Every workspace of the stack exists and is Ready, with its parents.
        for (const w of workspacesToCreate([stackWs.compute, ...stackWs.tenants])) {
            const parent = w.slice(0, w.lastIndexOf(":"));
            const r = await kubectl(
                "kcp-root",
                "--server",
                `https://127.0.0.1:${kcpEntry.port}/clusters/${parent}`,
                "get",
                "workspaces.tenancy.kcp.io",
                w.slice(w.lastIndexOf(":") + 1),
                "-o",
                "json",
            );
            t.is(r.code, 0, r.out);
            t.is(JSON.parse(r.out).status.phase, "Ready", `${w} is Ready`);
        }
        t.true(stackWs.tenants.length >= 1);

        // The server reports the real version, so the kubernetes provider judges it correctly.
        const cversion = await kubectl("compute-1", "version", "-o", "json");
        t.is(JSON.parse(cversion.out).serverVersion.gitVersion, `v${versions.kubernetes.version}`);

        const again = await cluster("up");
        t.is(again.code, 0, again.out);
        const state2 = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
        const pidsOf = (s: { clusters: { apiserverPid?: number; kcpPid?: number }[] }) =>
            s.clusters.map((c) => c.apiserverPid ?? c.kcpPid);
        t.deepEqual(pidsOf(state2), pidsOf(state), "the second up started nothing new");
        t.true(pidsOf(state).every((p) => typeof p === "number"));
        const status = await cluster("status");
        t.is(status.code, 0, status.out);
        t.regex(status.out, /compute-2 +compute +\d+ +https:\/\/127\.0\.0\.1:\d+ +ready/);
        t.regex(status.out, /kcp +kcp +\d+ +https:\/\/127\.0\.0\.1:\d+ +ready/);
    },
);

test.serial(
    "the real CRD schemas reject a wrongly typed TektonConfig and Subscription on a server-side dry run",
    async (t) => {
        const manifest = (body: string) => {
            const f = path.join(stateDir, `m-${Math.random().toString(36).slice(2)}.yaml`);
            fs.writeFileSync(f, body);
            return f;
        };
        const good = manifest(
            "apiVersion: operator.tekton.dev/v1alpha1\nkind: TektonConfig\nmetadata: {name: config}\nspec: {targetNamespace: openshift-pipelines, profile: all}\n",
        );
        t.is(
            (await kubectl("compute-1", "apply", "--dry-run=server", "-f", good)).code,
            0,
            "a well-typed TektonConfig is accepted",
        );
        const badTc = manifest(
            'apiVersion: operator.tekton.dev/v1alpha1\nkind: TektonConfig\nmetadata: {name: config}\nspec: {targetNamespace: 123, pruner: {keep: "ten"}}\n',
        );
        const r1 = await kubectl("compute-1", "apply", "--dry-run=server", "-f", badTc);
        t.not(r1.code, 0);
        t.regex(
            r1.out,
            /spec\.targetNamespace: Invalid value: "integer": spec\.targetNamespace in body must be of type string/,
        );
        t.regex(r1.out, /spec\.pruner\.keep: Invalid value: "string"/);

        const badSub = manifest(
            "apiVersion: operators.coreos.com/v1alpha1\nkind: Subscription\nmetadata: {name: s, namespace: openshift-operators}\n" +
                "spec: {name: openshift-pipelines-operator-rh, source: custom-operators, sourceNamespace: openshift-marketplace, channel: [latest]}\n",
        );
        const r2 = await kubectl("compute-2", "apply", "--dry-run=server", "-f", badSub);
        t.not(r2.code, 0);
        t.regex(r2.out, /spec\.channel: Invalid value: "array": spec\.channel in body must be of type string/);
    },
);

test.serial("a port already taken fails with its number and purpose, and starts nothing", async (t) => {
    // Three consecutive free ports below the ephemeral range; the third (kcp's apiserver) stays taken.
    const listen = (port: number) =>
        new Promise<net.Server | undefined>((resolve) => {
            const srv = net.createServer();
            srv.once("error", () => resolve(undefined));
            srv.listen(port, "127.0.0.1", () => resolve(srv));
        });
    let blocker: net.Server | undefined;
    let port = 0;
    for (let i = 0; i < 100 && !blocker; i++) {
        const base = 20000 + Math.floor(Math.random() * 12000);
        const held = await Promise.all([listen(base), listen(base + 1), listen(base + 2)]);
        if (held.every(Boolean)) {
            await Promise.all(held.slice(0, 2).map((s) => new Promise((r) => s!.close(r))));
            blocker = held[2];
            port = base + 2;
        } else {
            await Promise.all(held.filter(Boolean).map((s) => new Promise((r) => s!.close(r))));
        }
    }
    if (!blocker) return t.fail("no three consecutive free ports");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-port-"));
    try {
        // etcd client, etcd peer, then the kcp server: base+2 is the taken port.
        const r = await run("node", [
            "--import",
            "tsx",
            path.join(ROOT, "scripts", "cluster.ts"),
            "up",
            "--state-dir",
            dir,
            "--port-base",
            String(port - 2),
        ]);
        t.is(r.code, 1);
        t.regex(
            r.out,
            new RegExp(`error: cluster up: port ${port} \\(for the kcp server\\) is already taken by another process`),
        );
        t.deepEqual(processesUsing(dir), [], "nothing was left running");
    } finally {
        blocker.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

/** The syncer of `kubectl kcp workload sync` v0.11.0 for `name`, rendered against the real kcp and applied to `ctx`. */
async function generatedSyncer(t: ExecutionContext, name: string, ctx: string): Promise<string> {
    const f = path.join(stateDir, `syncer-${name}.yaml`);
    // The syncer image is only written into the Deployment; nothing pulls it (the syncer runs as a local process).
    const gen = await run("kubectl", [
        "kcp",
        "workload",
        "sync",
        name,
        "--kubeconfig",
        kubeconfigOf(),
        "--context",
        "kcp",
        "--syncer-image",
        "ghcr.io/kcp-dev/kcp/syncer:771cfc8",
        "--resources",
        "pipelineruns.tekton.dev",
        "--output-file",
        f,
    ]);
    t.is(gen.code, 0, gen.out);
    const apply = await kubectl(ctx, "apply", "-f", f);
    t.is(apply.code, 0, apply.out);
    return f;
}

test.serial(
    "syncers start runs the syncer a deployed Deployment declares, and its SyncTarget becomes Ready",
    async (t) => {
        const f = await generatedSyncer(t, "compute-1", "compute-1");
        const deploy = YAML.parseAllDocuments(fs.readFileSync(f, "utf8"))
            .map((d) => d.toJS())
            .find((o) => o?.kind === "Deployment");
        const ns = deploy.metadata.namespace as string;

        const start = await cluster("syncers", "start");
        t.is(start.code, 0, start.out);
        t.regex(start.out, /SyncTarget compute-1 in \S+: Ready \(syncer compute-1\//);
        const st = JSON.parse(
            (await kubectl("kcp", "get", "synctargets.workload.kcp.io", "compute-1", "-o", "json")).out,
        );
        const cond = (type: string) => st.status.conditions.find((c: { type: string }) => c.type === type)?.status;
        t.is(cond("Ready"), "True");
        t.is(cond("HeartbeatHealthy"), "True");
        t.is(cond("SyncerAuthorized"), "True", "the deployed ServiceAccount's kcp token is authorized");

        const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
        t.is(state.syncers.length, 1);
        const s = state.syncers[0];
        t.like(s, { cluster: "compute-1", namespace: ns, deployment: deploy.metadata.name, syncTarget: "compute-1" });
        // The process runs with the Deployment's own args and env, and the two kubeconfigs are private files.
        const cmdline = fs.readFileSync(`/proc/${s.pid}/cmdline`, "utf8").split("\0");
        t.is(path.basename(cmdline[0]!), "syncer");
        for (const a of deploy.spec.template.spec.containers[0].args as string[]) {
            if (!a.startsWith("--from-kubeconfig=")) t.true(cmdline.includes(a), `syncer runs with ${a}`);
        }
        const environ = fs.readFileSync(`/proc/${s.pid}/environ`, "utf8").split("\0");
        t.true(environ.includes(`NAMESPACE=${ns}`), "fieldRef metadata.namespace resolved");
        for (const k of ["kcp.kubeconfig", "downstream.kubeconfig"]) {
            t.is(fs.statSync(path.join(path.dirname(s.logFile), k)).mode & 0o777, 0o600, `${k} is 0600`);
        }
        const down = YAML.parse(fs.readFileSync(path.join(path.dirname(s.logFile), "downstream.kubeconfig"), "utf8"));
        t.is(down.users[0].name, `system:serviceaccount:${ns}:${deploy.spec.template.spec.serviceAccountName}`);

        // A second start keeps the running process; status shows its pid and the SyncTarget's Ready condition.
        const again = await cluster("syncers", "start");
        t.is(again.code, 0, again.out);
        t.is(JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8")).syncers[0].pid, s.pid);
        const status = await cluster("syncers", "status", "--json");
        t.is(status.code, 0, status.out);
        t.like(JSON.parse(status.out).syncers[0], {
            pid: s.pid,
            running: true,
            ready: "True",
            syncTarget: "compute-1",
        });
    },
);

test.serial(
    "syncers start fails naming the object when the Secret, the ServiceAccount or the Deployment is missing",
    async (t) => {
        const f = path.join(stateDir, "syncer-compute-1.yaml");
        const docs = YAML.parseAllDocuments(fs.readFileSync(f, "utf8"))
            .map((d) => d.toJS())
            .filter(Boolean);
        const deploy = docs.find((o) => o.kind === "Deployment");
        const ns = deploy.metadata.namespace as string;
        const secret = deploy.spec.template.spec.volumes[0].secret.secretName as string;
        const sa = deploy.spec.template.spec.serviceAccountName as string;

        t.is((await kubectl("compute-1", "delete", "secret", secret, "-n", ns)).code, 0);
        const noSecret = await cluster("syncers", "start");
        t.is(noSecret.code, 1);
        t.regex(
            noSecret.out,
            new RegExp(
                `compute-1: Deployment ${ns}/${deploy.metadata.name} mounts the Secret ${ns}/${secret} at /kcp/kubeconfig, and it cannot be read: .*not found`,
            ),
        );

        t.is((await kubectl("compute-1", "apply", "-f", f)).code, 0);
        t.is((await kubectl("compute-1", "delete", "serviceaccount", sa, "-n", ns)).code, 0);
        const noSa = await cluster("syncers", "start");
        t.is(noSa.code, 1);
        t.regex(noSa.out, new RegExp(`runs as the ServiceAccount ${ns}/${sa}, and it cannot be read: .*not found`));

        t.is((await kubectl("compute-1", "delete", "deployment", deploy.metadata.name, "-n", ns)).code, 0);
        const noDeploy = await cluster("syncers", "start");
        t.is(noDeploy.code, 1);
        t.regex(noDeploy.out, /SyncTarget compute-1 in root:pipeline-service:compute has no syncer Deployment/);
        // The failed starts left the running syncer alone; `down` stops it.
        const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
        t.true(fs.existsSync(`/proc/${state.syncers[0].pid}`));
    },
);

test.serial(
    "cluster down stops every process it started, kcp and the syncers included, and leaves none behind",
    async (t) => {
        const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
        const pids: number[] = [
            state.etcd.pid,
            ...state.clusters.flatMap(
                (c: { apiserverPid?: number; controllerManagerPid?: number; kcpPid?: number }) => [
                    c.apiserverPid,
                    c.controllerManagerPid,
                    c.kcpPid,
                ],
            ),
            ...state.syncers.map((s: { pid: number }) => s.pid),
        ].filter(Boolean);
        t.is(pids.length, 7, "etcd, kcp, 2 apiservers, 2 controller managers, 1 syncer");
        t.true(processesUsing(stateDir).length >= 7);
        const down = await cluster("down");
        t.is(down.code, 0, down.out);
        for (const pid of pids)
            t.false(
                fs.existsSync(`/proc/${pid}/cmdline`) && !/ Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")),
                `pid ${pid} is gone`,
            );
        t.deepEqual(processesUsing(stateDir), []);
        const status = await cluster("status");
        t.is(status.code, 3, "status reports the control plane as not running");
    },
);

/** Run tools.sh for one tool against a scratch versions file, cache and bin dir. */
async function toolsWith(edit: (v: typeof versions) => void, only: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-tools-"));
    const v = structuredClone(versions);
    edit(v);
    fs.writeFileSync(path.join(dir, "versions.json"), JSON.stringify(v));
    const cache = path.join(dir, "cache");
    const r = await run(
        "bash",
        [path.join(ROOT, "scripts", "tools.sh"), "--only", only],
        {
            PIPELINE_SERVICE_VERSIONS: path.join(dir, "versions.json"),
            PIPELINE_SERVICE_TOOLS_CACHE: cache,
            PIPELINE_SERVICE_TOOLS_BIN: path.join(dir, "bin"),
            ...extraEnv,
        },
        600_000,
    );
    const left = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...r, left };
}

test.serial("an unknown version fails naming the tool and the version, and leaves nothing in the cache", async (t) => {
    const etcd = await toolsWith((v) => {
        v.etcd.version = "3.6.999";
    }, "etcd");
    t.is(etcd.code, 1);
    t.regex(etcd.out, /error: etcd 3\.6\.999: the build failed after \d+s/);
    t.regex(etcd.out, /go\.etcd\.io\/etcd\/server\/v3@v3\.6\.999/);
    t.deepEqual(etcd.left, []);

    // With the machine's own Node (older than 22) first on PATH, tools.sh must fetch the pinned Node from npm.
    const system = (await run("bash", ["-c", "PATH=/usr/local/bin:/usr/bin:/bin command -v node"])).out.trim();
    const sysMajor = Number((await run(system, ["-p", "process.versions.node.split('.')[0]"])).out.trim());
    if (sysMajor >= 22) {
        t.log(`the machine's node is ${sysMajor}, so tools.sh uses it and never fetches one; skipping the node half`);
        return;
    }
    const node = await toolsWith(
        (v) => {
            v.node.version = "22.999.0";
        },
        "node",
        { PATH: "/usr/local/bin:/usr/bin:/bin" },
    );
    t.regex(node.out, /error: node 22\.999\.0: the build failed/);
    t.deepEqual(node.left, []);
});

test.serial("a failed build fails naming the tool, and leaves nothing in the cache", async (t) => {
    // A `go` whose compiler step fails, in front of the real one: module resolution works, the build does not.
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-fakego-"));
    const realGo = (await run("bash", ["-c", "command -v go"])).out.trim();
    fs.writeFileSync(
        path.join(fake, "go"),
        `#!/usr/bin/env bash\nif [ "$1" = build ]; then echo "compile: simulated compiler failure" >&2; exit 2; fi\nexec ${realGo} "$@"\n`,
        { mode: 0o755 },
    );
    try {
        // Without .tools/bin on PATH, so the fast path (an etcd of the pinned version on PATH) does not apply.
        const r = await toolsWith(() => undefined, "etcd", {
            PATH: `${fake}:${path.dirname(realGo)}:/usr/local/bin:/usr/bin:/bin`,
        });
        t.is(r.code, 1);
        t.regex(r.out, /simulated compiler failure/);
        t.regex(
            r.out,
            new RegExp(
                `error: etcd ${versions.etcd.version.replace(/\./g, "\\.")}: the build failed after \\d+s \\(see the log above\\); nothing was left in`,
            ),
        );
        t.deepEqual(r.left, []);
    } finally {
        fs.rmSync(fake, { recursive: true, force: true });
    }
});
