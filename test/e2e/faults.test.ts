/**
 * Faults and secret hygiene (issue 15) and the state backend that cannot be confused (issue 11 §4), on the real CLI
 * and real apiservers:
 * - `.tools/bin/pulumi` refuses an environment-named stack on a file backend, and a non-local stack with no backend;
 * - every run has a private 0700 TMPDIR that is gone afterwards (also after a SIGKILL, on the next run), and the
 *   provider's kubeconfig files live and die there; no token is in TMPDIR, the state or the CLI's output;
 * - cluster identity fencing: a context pointing at the other cluster, a missing context and a missing kubeconfig
 *   file fail preview and up, naming the cluster (and both identities), before anything changes;
 * - a SIGSTOPped apiserver makes `up` fail within the stated bound, naming the cluster and its server; after SIGCONT
 *   the next `up` converges.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { COMPUTE_KINDS, expectOk, KCP_KINDS, Project, RunResult } from "./harness.js";

/** README "Bounded failures": a run that cannot reach a cluster fails within this many seconds. */
const UNREACHABLE_BOUND_S = 60;

let p: Project;
let tmp: string;
/** Pulumi.local.yaml as copied into the scratch project, before any run. */
let stackFile: string;
const outputs: string[] = [];

async function pulumi(...args: string[]): Promise<RunResult> {
    const r = await p.pulumi(...args);
    outputs.push(r.stdout, r.stderr);
    return r;
}

test.before(async () => {
    p = await Project.create("faults");
    tmp = path.join(p.dir, "tmp");
    fs.mkdirSync(tmp);
    p.env.TMPDIR = tmp; // every CLI run of this file makes its private directory here
    stackFile = fs.readFileSync(path.join(p.dir, "Pulumi.local.yaml"), "utf8");
    await p.clusterUp();
    await p.initStack();
    expectOk(await pulumi("up", "--yes", "--skip-preview"), "first up");
});

test.after.always(async () => {
    if (!p) return;
    await p.clusterDown(true);
    if (process.env.KEEP_E2E_DIR) console.log(`kept ${p.dir}`);
    else p.cleanup();
});

function clusterState(): { token: string; clusters: { name: string; port: number; apiserverPid?: number }[] } {
    return JSON.parse(fs.readFileSync(path.join(p.dir, ".local", "cluster", "state.json"), "utf8"));
}

async function kubeSystemUid(ctx: string): Promise<string> {
    const ns = await p.kube(ctx).get("v1", "Namespace", "kube-system");
    return ns!.metadata.uid as string;
}

/** resourceVersion of every managed object in every cluster. */
async function resourceVersions(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const ctx of ["kcp", "compute-1", "compute-2"]) {
        const view = p.kube(ctx);
        for (const [apiVersion, kind] of ctx === "kcp" ? KCP_KINDS : COMPUTE_KINDS) {
            for (const o of await view.managedItems(apiVersion, kind))
                out[`${ctx} ${kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`] =
                    o.metadata?.resourceVersion ?? "?";
        }
    }
    return out;
}

function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath, d.name));
}

test("backend: `pulumi stack init prod` on a local file backend is refused with a message; no backend at all is refused too", async (t) => {
    const refused = await p.run("pulumi", ["stack", "init", "prod", "--non-interactive"]);
    t.is(refused.code, 2);
    t.regex(
        refused.stderr,
        /refusing to create stack 'prod' on the file backend file:\/\/.*\.pulumi-state: a 'prod' stack\s+belongs on the team's backend/,
    );
    t.regex(refused.stderr, /PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND=1/);
    for (const name of ["dev", "staging", "prod-eu"]) {
        const r = await p.run("pulumi", ["stack", "init", name, "--non-interactive"]);
        t.is(r.code, 2, `${name} refused`);
    }
    t.false(
        fs.existsSync(path.join(p.dir, ".pulumi-state", ".pulumi", "stacks", "pipeline-service", "prod.json")),
        "no prod state was created",
    );

    // Nothing chosen (no PULUMI_BACKEND_URL, no login, no backend.url): any stack but local is refused.
    const home = path.join(p.dir, "empty-home");
    fs.mkdirSync(home);
    const env: NodeJS.ProcessEnv = { ...p.env, PULUMI_HOME: home };
    delete env.PULUMI_BACKEND_URL;
    const none = await new Promise<RunResult>((resolve) => {
        const c = spawn("pulumi", ["preview", "--stack", "prod", "--non-interactive"], { cwd: p.dir, env });
        let stdout = "",
            stderr = "";
        c.stdout.on("data", (b) => (stdout += b));
        c.stderr.on("data", (b) => (stderr += b));
        c.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
    t.is(none.code, 2);
    t.regex(
        none.stderr,
        /stack 'prod' has no state backend: only the 'local' stack uses the file backend in this checkout/,
    );

    // Asked explicitly: a throwaway local prod is allowed.
    // (Its secrets need a passphrase of their own: the wrapper generates one only for the local stack.)
    const allowed = await p.run("env", [
        "PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND=1",
        "PULUMI_CONFIG_PASSPHRASE=faults-prod-scratch",
        "pulumi",
        "stack",
        "init",
        "prod-scratch",
        "--non-interactive",
    ]);
    t.is(allowed.code, 0, allowed.stderr);
    expectOk(
        await p.run("pulumi", ["stack", "rm", "prod-scratch", "--yes", "--non-interactive"]),
        "stack rm prod-scratch",
    );
});

test("every run has a private 0700 TMPDIR, removed on exit; the provider's kubeconfig files are written there and go with it", async (t) => {
    // What other tools left in TMPDIR before (tsx's compile cache from `cluster up`, say) is not this run's.
    const before = new Set(fs.readdirSync(tmp));
    const child = spawn("pulumi", ["preview", "--refresh", "--stack", "local", "--non-interactive"], {
        cwd: p.dir,
        env: p.env,
    });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const seen = new Map<string, number>();
    const kubeconfigs = new Set<string>();
    const poll = setInterval(() => {
        for (const d of fs.readdirSync(tmp).filter((x) => !before.has(x))) {
            const full = path.join(tmp, d);
            try {
                seen.set(d, fs.statSync(full).mode & 0o777);
                for (const f of fs.readdirSync(full)) if (f.startsWith("kubeconfig")) kubeconfigs.add(path.join(d, f));
            } catch {
                /* removed meanwhile */
            }
        }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    clearInterval(poll);
    outputs.push(out);
    t.is(code, 0, out.slice(-3000));
    const dirs = [...seen.keys()];
    t.true(
        dirs.length >= 1 && dirs.every((d) => /^pipeline-service-pulumi\.\d+\.\w+$/.test(d)),
        `private dirs: ${dirs.join(", ")}`,
    );
    t.true(
        [...seen.values()].every((m) => m === 0o700),
        "0700",
    );
    t.true(kubeconfigs.size >= 1, "the kubernetes provider wrote its kubeconfig files into the private directory");
    t.deepEqual(
        fs.readdirSync(tmp).filter((x) => !before.has(x)),
        [],
        "nothing left in TMPDIR after the run",
    );

    // A SIGKILL of the wrapper leaves its directory; the next run sweeps it.
    const killed = spawn("pulumi", ["preview", "--stack", "local", "--non-interactive"], { cwd: p.dir, env: p.env });
    killed.stdout.resume();
    killed.stderr.resume();
    for (
        let i = 0;
        i < 200 &&
        !fs.readdirSync(tmp).some((d) => fs.readdirSync(path.join(tmp, d)).some((f) => f.startsWith("kubeconfig")));
        i++
    ) {
        await new Promise((r) => setTimeout(r, 50));
    }
    killed.kill("SIGKILL");
    await new Promise((r) => killed.on("exit", r));
    t.true(fs.readdirSync(tmp).filter((x) => !before.has(x)).length >= 1, "the killed run's directory is still there");
    expectOk(await pulumi("stack", "ls"), "the next run");
    t.deepEqual(
        fs.readdirSync(tmp).filter((x) => !before.has(x)),
        [],
        "swept by the next run",
    );
});

test("no token in TMPDIR, the state or the CLI output; the local passphrase is generated and 0600", async (t) => {
    const admin = clusterState().token;
    const reader = await p.kube("compute-1").get("v1", "Secret", "metrics-reader", "openshift-pipelines");
    const readerToken = reader?.data?.token
        ? Buffer.from(reader.data.token as string, "base64").toString("utf8")
        : undefined;
    expectOk(await pulumi("refresh", "--yes", "--skip-preview"), "refresh (reads every object back into state)");
    const needles = [admin, ...(readerToken ? [readerToken, reader!.data.token as string] : [])];
    const state = path.join(p.dir, ".pulumi-state");
    for (const f of [...filesUnder(tmp), ...filesUnder(path.join(state, ".pulumi"))]) {
        const text = fs.readFileSync(f, "latin1");
        for (const n of needles) t.false(text.includes(n), `${path.relative(p.dir, f)} holds a token`);
    }
    for (const o of outputs) for (const n of needles) t.false(o.includes(n), "a CLI output holds a token");
    const pass = path.join(state, ".pipeline-service", "passphrase");
    t.is(fs.statSync(pass).mode & 0o777, 0o600, "passphrase 0600");
    t.regex(fs.readFileSync(pass, "utf8"), /^[0-9a-f]{64}\n$/, "a generated passphrase, not the empty one");
    t.false(
        /^encryptionsalt:/m.test(fs.readFileSync(path.join(p.dir, "Pulumi.local.yaml"), "utf8")),
        "the stack file is left as committed",
    );
    t.is(
        fs.readFileSync(path.join(p.dir, "Pulumi.local.yaml"), "utf8"),
        stackFile,
        "byte for byte, after stack init, up and refresh",
    );
});

test("fencing: each cluster's identity is the kube-system UID, recorded as clusters.<name>.identity", async (t) => {
    const out = JSON.parse((await pulumi("stack", "output", "--json")).stdout);
    t.is(out.clusters["compute-1"].identity, await kubeSystemUid("compute-1"));
    t.is(out.clusters["compute-2"].identity, await kubeSystemUid("compute-2"));
    t.not(out.clusters["compute-1"].identity, out.clusters["compute-2"].identity);
});

test("fencing: a context pointing at the other cluster fails preview and up naming both identities; nothing changes", async (t) => {
    const kcFile = p.kubeconfigPath;
    const good = fs.readFileSync(kcFile, "utf8");
    const doc = YAML.parse(good) as { contexts: { name: string; context: { cluster: string } }[] };
    const c1 = doc.contexts.find((c) => c.name === "compute-1")!;
    const c2 = doc.contexts.find((c) => c.name === "compute-2")!;
    c1.context.cluster = c2.context.cluster; // compute-1's context now reaches compute-2
    const [u1, u2] = [await kubeSystemUid("compute-1"), await kubeSystemUid("compute-2")];
    const before = await resourceVersions();
    fs.writeFileSync(kcFile, YAML.stringify(doc), { mode: 0o600 });
    try {
        for (const cmd of [["preview"], ["up", "--yes", "--skip-preview"]]) {
            const r = await pulumi(...cmd);
            t.not(r.code, 0, `${cmd[0]} must fail`);
            const all = r.stdout + r.stderr;
            t.regex(all, /cluster compute-1: wrong cluster/, cmd[0]);
            t.true(
                all.includes(u1) && all.includes(u2),
                `${cmd[0]} names the expected ${u1} and the found ${u2}:\n${all.slice(-2000)}`,
            );
            t.notRegex(all, /cluster compute-2: wrong cluster/);
        }
    } finally {
        fs.writeFileSync(kcFile, good, { mode: 0o600 });
    }
    t.deepEqual(await resourceVersions(), before, "no object changed (resourceVersions)");
});

test("fencing: a missing context or kubeconfig file fails preview and up before ring 0 changes", async (t) => {
    const file = path.join(p.dir, "Pulumi.local.yaml");
    const good = fs.readFileSync(file, "utf8");
    const before = await resourceVersions();
    try {
        const doc = YAML.parse(good);
        doc.config["pipeline-service:clusters"][1].kubeconfig.context = "compute-9";
        fs.writeFileSync(file, YAML.stringify(doc));
        for (const cmd of [["preview"], ["up", "--yes", "--skip-preview"]]) {
            const r = await pulumi(...cmd);
            t.not(r.code, 0);
            t.regex(
                r.stdout + r.stderr,
                /cluster compute-2: context 'compute-9' is not in kubeconfig \S+\/\.local\/kubeconfig \(it has: /,
                cmd[0],
            );
        }
        const doc2 = YAML.parse(good);
        doc2.config["pipeline-service:clusters"][0].kubeconfig.path = ".local/kubeconfig-typo";
        fs.writeFileSync(file, YAML.stringify(doc2));
        const r = await pulumi("preview");
        t.not(r.code, 0);
        t.regex(r.stdout + r.stderr, /cluster compute-1: kubeconfig \S+\/\.local\/kubeconfig-typo does not exist/);
    } finally {
        fs.writeFileSync(file, good);
    }
    t.deepEqual(await resourceVersions(), before, "ring 0 (compute-1) and everything else unchanged");
});

test(`a SIGSTOPped apiserver makes up fail within ${UNREACHABLE_BOUND_S}s naming the cluster; after SIGCONT up converges`, async (t) => {
    const entry = clusterState().clusters.find((c) => c.name === "compute-2")!;
    t.truthy(entry.apiserverPid, "compute-2's apiserver pid is in .local/cluster/state.json");
    const before = await resourceVersions();
    process.kill(entry.apiserverPid!, "SIGSTOP");
    let r: RunResult;
    const t0 = Date.now();
    try {
        r = await pulumi("up", "--yes", "--skip-preview");
    } finally {
        process.kill(entry.apiserverPid!, "SIGCONT");
    }
    const took = (Date.now() - t0) / 1000;
    t.not(r.code, 0);
    t.true(took < UNREACHABLE_BOUND_S, `failed after ${took.toFixed(1)}s`);
    t.regex(
        r.stdout + r.stderr,
        new RegExp(`cluster compute-2: the API server https://127\\.0\\.0\\.1:${entry.port} did not answer`),
    );
    t.deepEqual(await resourceVersions(), before, "nothing changed, ring 0 included");
    expectOk(await pulumi("up", "--yes", "--skip-preview"), "up after SIGCONT");
    expectOk(await pulumi("preview", "--expect-no-changes"), "converged");
});
