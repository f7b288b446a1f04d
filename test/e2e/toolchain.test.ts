/**
 * The hermetic toolchain and the local control plane, as the toolchain issue accepts them: pinned versions,
 * plugins in the cache, CRDs on every cluster, the real schemas rejecting wrongly typed fields, `up` twice,
 * `down` leaving no process, and clear failures (unknown version, failed build, port taken) that leave nothing in
 * the cache.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./harness.js";

const BIN = path.join(ROOT, ".tools", "bin");
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ""}`, NO_COLOR: "1" };
const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8"));
const pkg = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version as string;

function run(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeout = 300_000): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
        execFile(cmd, args, { env: { ...env, ...extraEnv }, cwd: ROOT, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            resolve({ code, out: `${stdout}${stderr}` });
        });
    });
}

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-toolchain-"));
const cluster = (...args: string[]) => run("node", ["--import", "tsx", path.join(ROOT, "scripts", "cluster.ts"), ...args, "--state-dir", stateDir]);
const kubectl = (context: string, ...args: string[]) => run("kubectl", ["--kubeconfig", path.join(stateDir, "kubeconfig"), "--context", context, ...args]);

/** Every live process whose command line mentions the state dir. */
function processesUsing(dir: string): string[] {
    const out: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        try {
            const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            if (cmd.includes(dir) && !/ Z /.test(stat.slice(stat.lastIndexOf(")")))) out.push(`${pid} ${cmd.slice(0, 120)}`);
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

test.serial("plugin ls lists the kubernetes plugin at the SDK's exact version; random and command are recorded as blocked", async (t) => {
    const r = await run(path.join(BIN, "pulumi"), ["plugin", "ls", "--json"]);
    t.is(r.code, 0, r.out);
    const plugins = JSON.parse(r.out) as { name: string; kind: string; version: string }[];
    t.true(plugins.some((p) => p.name === "kubernetes" && p.kind === "resource" && p.version === pkg("@pulumi/kubernetes")));
    t.is(versions.plugins.kubernetes.version, pkg("@pulumi/kubernetes"));
    for (const name of ["random", "command"]) {
        t.is(versions.plugins[name].version, pkg(`@pulumi/${name}`), `${name}: versions.json follows the SDK`);
        const built = plugins.some((p) => p.name === name);
        // Either it is really installed, or versions.json says why it cannot be built here; never silently absent.
        t.true(built || typeof versions.plugins[name].unavailable === "string", `${name} is installed or recorded as blocked`);
    }
    const tools = await run("bash", [path.join(ROOT, "scripts", "tools.sh")]);
    t.is(tools.code, 0, tools.out);
    t.regex(tools.out, /plugin random 4\.21\.2: BLOCKED, not built: the Go module proxy does not serve/);
});

test.serial("cluster up: a kcp stand-in and two compute clusters with the upstream CRDs; up twice is harmless", async (t) => {
    const up = await cluster("up");
    t.is(up.code, 0, up.out);
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
    t.deepEqual(state.clusters.map((c: { name: string }) => c.name), ["kcp", "compute-1", "compute-2"]);
    const ports = state.clusters.map((c: { port: number }) => c.port);
    t.is(new Set(ports).size, 3, "one port per apiserver");

    for (const ctx of ["compute-1", "compute-2"]) {
        const crds = await kubectl(ctx, "get", "crd", "-o", "name");
        for (const crd of ["catalogsources.operators.coreos.com", "subscriptions.operators.coreos.com", "operatorgroups.operators.coreos.com",
            "clusterserviceversions.operators.coreos.com", "installplans.operators.coreos.com", "tektonconfigs.operator.tekton.dev",
            "applications.argoproj.io", "appprojects.argoproj.io", "applicationsets.argoproj.io", "externalsecrets.external-secrets.io",
            "secretstores.external-secrets.io", "clustersecretstores.external-secrets.io", "servicemonitors.monitoring.coreos.com",
            "prometheusrules.monitoring.coreos.com", "routes.route.openshift.io", "imagedigestmirrorsets.config.openshift.io",
            "securitycontextconstraints.security.openshift.io"]) {
            t.true(crds.out.includes(`customresourcedefinition.apiextensions.k8s.io/${crd}`), `${ctx}: ${crd}`);
        }
    }
    const kcp = await kubectl("kcp", "get", "crd", "-o", "name");
    for (const crd of ["synctargets.workload.kcp.io", "apiexports.apis.kcp.io", "apibindings.apis.kcp.io"]) t.true(kcp.out.includes(crd), `kcp: ${crd}`);
    t.false(kcp.out.includes("tektonconfigs"), "the kcp stand-in has only the kcp CRDs");

    // The server reports the real version, so the kubernetes provider judges it correctly.
    const version = await kubectl("compute-1", "version", "-o", "json");
    t.is(JSON.parse(version.out).serverVersion.gitVersion, `v${versions.kubernetes.version}`);

    const again = await cluster("up");
    t.is(again.code, 0, again.out);
    const state2 = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
    t.deepEqual(state2.clusters.map((c: { apiserverPid: number }) => c.apiserverPid), state.clusters.map((c: { apiserverPid: number }) => c.apiserverPid),
        "the second up started nothing new");
    const status = await cluster("status");
    t.is(status.code, 0);
    t.regex(status.out, /compute-2 +compute +\d+ +https:\/\/127\.0\.0\.1:\d+ +ready/);
});

test.serial("the real CRD schemas reject a wrongly typed TektonConfig and Subscription on a server-side dry run", async (t) => {
    const manifest = (body: string) => {
        const f = path.join(stateDir, `m-${Math.random().toString(36).slice(2)}.yaml`);
        fs.writeFileSync(f, body);
        return f;
    };
    const good = manifest("apiVersion: operator.tekton.dev/v1alpha1\nkind: TektonConfig\nmetadata: {name: config}\nspec: {targetNamespace: openshift-pipelines, profile: all}\n");
    t.is((await kubectl("compute-1", "apply", "--dry-run=server", "-f", good)).code, 0, "a well-typed TektonConfig is accepted");
    const badTc = manifest("apiVersion: operator.tekton.dev/v1alpha1\nkind: TektonConfig\nmetadata: {name: config}\nspec: {targetNamespace: 123, pruner: {keep: \"ten\"}}\n");
    const r1 = await kubectl("compute-1", "apply", "--dry-run=server", "-f", badTc);
    t.not(r1.code, 0);
    t.regex(r1.out, /spec\.targetNamespace: Invalid value: "integer": spec\.targetNamespace in body must be of type string/);
    t.regex(r1.out, /spec\.pruner\.keep: Invalid value: "string"/);

    const badSub = manifest("apiVersion: operators.coreos.com/v1alpha1\nkind: Subscription\nmetadata: {name: s, namespace: openshift-operators}\n" +
        "spec: {name: openshift-pipelines-operator-rh, source: custom-operators, sourceNamespace: openshift-marketplace, channel: [latest]}\n");
    const r2 = await kubectl("compute-2", "apply", "--dry-run=server", "-f", badSub);
    t.not(r2.code, 0);
    t.regex(r2.out, /spec\.channel: Invalid value: "array": spec\.channel in body must be of type string/);
});

test.serial("a port already taken fails with its number and purpose, and starts nothing", async (t) => {
    // Three consecutive free ports below the ephemeral range; the third (kcp's apiserver) stays taken.
    const listen = (port: number) => new Promise<net.Server | undefined>((resolve) => {
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
        // etcd client, etcd peer, then kcp's apiserver: base+2 is the taken port.
        const r = await run("node", ["--import", "tsx", path.join(ROOT, "scripts", "cluster.ts"), "up", "--state-dir", dir, "--port-base", String(port - 2)]);
        t.is(r.code, 1);
        t.regex(r.out, new RegExp(`error: cluster up: port ${port} \\(for the kube-apiserver of kcp\\) is already taken by another process`));
        t.deepEqual(processesUsing(dir), [], "nothing was left running");
    } finally {
        blocker.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test.serial("cluster down stops every process it started, and leaves none behind", async (t) => {
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, "cluster", "state.json"), "utf8"));
    const pids: number[] = [state.etcd.pid, ...state.clusters.flatMap((c: { apiserverPid: number; controllerManagerPid: number }) => [c.apiserverPid, c.controllerManagerPid])];
    t.is(pids.filter(Boolean).length, 7, "etcd, 3 apiservers, 3 controller managers");
    t.true(processesUsing(stateDir).length >= 7);
    const down = await cluster("down");
    t.is(down.code, 0, down.out);
    for (const pid of pids) t.false(fs.existsSync(`/proc/${pid}/cmdline`) && !/ Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")), `pid ${pid} is gone`);
    t.deepEqual(processesUsing(stateDir), []);
    const status = await cluster("status");
    t.is(status.code, 3, "status reports the control plane as not running");
});

/** Run tools.sh for one tool against a scratch versions file, cache and bin dir. */
async function toolsWith(edit: (v: typeof versions) => void, only: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-tools-"));
    const v = structuredClone(versions);
    edit(v);
    fs.writeFileSync(path.join(dir, "versions.json"), JSON.stringify(v));
    const cache = path.join(dir, "cache");
    const r = await run("bash", [path.join(ROOT, "scripts", "tools.sh"), "--only", only], {
        PIPELINE_SERVICE_VERSIONS: path.join(dir, "versions.json"),
        PIPELINE_SERVICE_TOOLS_CACHE: cache,
        PIPELINE_SERVICE_TOOLS_BIN: path.join(dir, "bin"),
        ...extraEnv,
    }, 600_000);
    const left = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...r, left };
}

test.serial("an unknown version fails naming the tool and the version, and leaves nothing in the cache", async (t) => {
    const etcd = await toolsWith((v) => { v.etcd.version = "3.6.999"; }, "etcd");
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
    const node = await toolsWith((v) => { v.node.version = "22.999.0"; }, "node", { PATH: "/usr/local/bin:/usr/bin:/bin" });
    t.regex(node.out, /error: node 22\.999\.0: the build failed/);
    t.deepEqual(node.left, []);
});

test.serial("a failed build fails naming the tool, and leaves nothing in the cache", async (t) => {
    // A `go` whose compiler step fails, in front of the real one: module resolution works, the build does not.
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-fakego-"));
    const realGo = (await run("bash", ["-c", "command -v go"])).out.trim();
    fs.writeFileSync(path.join(fake, "go"), `#!/usr/bin/env bash\nif [ "$1" = build ]; then echo "compile: simulated compiler failure" >&2; exit 2; fi\nexec ${realGo} "$@"\n`, { mode: 0o755 });
    try {
        // Without .tools/bin on PATH, so the fast path (an etcd of the pinned version on PATH) does not apply.
        const r = await toolsWith(() => undefined, "etcd", { PATH: `${fake}:${path.dirname(realGo)}:/usr/local/bin:/usr/bin:/bin` });
        t.is(r.code, 1);
        t.regex(r.out, /simulated compiler failure/);
        t.regex(r.out, new RegExp(`error: etcd ${versions.etcd.version.replace(/\./g, "\\.")}: the build failed after \\d+s \\(see the log above\\); nothing was left in`));
        t.deepEqual(r.left, []);
    } finally {
        fs.rmSync(fake, { recursive: true, force: true });
    }
});
