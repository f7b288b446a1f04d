/**
 * Every stack's TektonConfig, checked by the operator's own code (issue 9 §2): each stack (local, dev, prod) is
 * rendered with the real CLI in render mode (`PIPELINE_SERVICE_RENDER_DIR`, a throwaway backend, no cluster), and
 * every rendered TektonConfig is admitted through the tektoncd/operator admission webhooks of the operator version
 * that stack targets (scripts/check-tektonconfig.ts, binaries built from the Go module at that version). A field the
 * targeted version lacks fails with the operator's own message; so does a value its `Validate` rejects.
 *
 * The targeted version of a cluster is `osp.operatorVersion` as the program resolves it (lib/config.ts
 * resolveConfig), else as the stack file sets it (cluster override, then stack level), else 0.81.0 (the local CRD's
 * version, tools/versions.json crds.tekton-operator).
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { resolveConfig } from "../../lib/config.js";
import { renderModeEnv, scratchCopy, sh as runCommand } from "../../scripts/lib/scratch.js";
import { checkTektonConfig, checkerVersions } from "../../scripts/check-tektonconfig.js";
import { readStackFile } from "../../scripts/validate-config.js";
import { ROOT } from "./harness.js";

const FALLBACK_VERSION = "0.81.0";
/** The newest served operator version whose API has neither spec.result nor spec.trigger.disabled
 * (pkg/apis/operator/v1alpha1/tektonconfig_types.go@v0.74.0; upstream-conformance.md §2: result 0.75, trigger.disabled 0.77). */
const OLD = "0.74.0";
const NEW = "0.81.0";

const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}`,
};

interface Rendered {
    stack: string;
    cluster: string;
    file: string;
    doc: Record<string, unknown>;
}

const sh = (cmd: string, args: string[], cwd: string, e: NodeJS.ProcessEnv) =>
    runCommand(cmd, args, { cwd, env: e, timeoutMs: 15 * 60_000 });

const scratches: string[] = [];
test.after.always(() => {
    for (const d of scratches) fs.rmSync(d, { recursive: true, force: true });
});

/** `pulumi up` of one stack in render mode in a scratch copy; every TektonConfig it wrote, with its cluster. */
async function renderStack(stack: string): Promise<Render> {
    const scratch = scratchCopy(ROOT, `operator-conformance-${stack}`);
    scratches.push(scratch);
    // Render mode (scripts/lib/scratch.ts renderModeEnv, as npm run render): a throwaway backend, no cluster, no
    // kubeconfig read (the local stack's kcp server is index.ts's RENDER_KCP_ENDPOINT).
    const e: NodeJS.ProcessEnv = { ...renderModeEnv(scratch), PATH: env.PATH };
    const out = e.PIPELINE_SERVICE_RENDER_DIR!;
    const init = await sh(
        "pulumi",
        ["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"],
        scratch,
        e,
    );
    if (init.code !== 0) throw new Error(`pulumi stack init ${stack}: ${init.stderr}`);
    const up = await sh("pulumi", ["up", "--stack", stack, "--yes", "--skip-preview", "--non-interactive"], scratch, e);
    const error =
        up.code === 0
            ? undefined
            : `pulumi up --stack ${stack} (render mode) exited ${up.code}: ${(up.stdout.split("Diagnostics:")[1] ?? up.stderr).trim().slice(0, 2000)}`;
    const found: Rendered[] = [];
    const walk = (p: string): void => {
        if (fs.statSync(p).isDirectory()) {
            for (const entry of fs.readdirSync(p).sort()) walk(path.join(p, entry));
            return;
        }
        if (!/\.ya?ml$/.test(p)) return;
        for (const d of YAML.parseAllDocuments(fs.readFileSync(p, "utf8"))) {
            const doc = d.toJS() as Record<string, unknown> | null;
            if (doc?.kind === "TektonConfig") {
                found.push({
                    stack,
                    cluster: path.relative(out, p).split(path.sep)[0]!,
                    file: path.relative(out, p),
                    doc,
                });
            }
        }
    };
    if (fs.existsSync(out)) walk(out);
    return { docs: found, error };
}

interface Render {
    docs: Rendered[];
    /** Set when `pulumi up` in render mode did not finish cleanly. */
    error?: string;
}

const renders = new Map<string, Promise<Render>>();
function rendered(stack: string): Promise<Render> {
    if (!renders.has(stack)) renders.set(stack, renderStack(stack));
    return renders.get(stack)!;
}

/** The operator version a cluster of a stack targets, and where that came from. */
function targetedVersion(stack: string, cluster: string): { version: string; from: string } {
    const raw = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
    try {
        const c = resolveConfig(stack, raw).clusters.find((x) => x.name === cluster);
        const v = c && (c.settings.osp as { operatorVersion?: unknown }).operatorVersion;
        if (typeof v === "string") return { version: v, from: "osp.operatorVersion (lib/config.ts resolveConfig)" };
    } catch {
        /* an invalid stack file: its render fails and says why */
    }
    const clusters = (raw.clusters ?? []) as { name?: string; overrides?: { osp?: { operatorVersion?: unknown } } }[];
    const ov = clusters.find((x) => x.name === cluster)?.overrides?.osp?.operatorVersion;
    if (typeof ov === "string")
        return { version: ov, from: `Pulumi.${stack}.yaml clusters[${cluster}].overrides.osp.operatorVersion` };
    const top = (raw.osp as { operatorVersion?: unknown } | undefined)?.operatorVersion;
    if (typeof top === "string") return { version: top, from: `Pulumi.${stack}.yaml osp.operatorVersion` };
    return { version: FALLBACK_VERSION, from: "no osp.operatorVersion anywhere: the local CRD's version" };
}

for (const stack of ["local", "dev", "prod"]) {
    test(`${stack}: every rendered TektonConfig is admitted by the operator webhooks of the version its cluster targets`, async (t) => {
        t.timeout(15 * 60_000);
        const { docs, error } = await rendered(stack);
        t.is(error, undefined, "the stack renders");
        const clusters = (
            (readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).clusters ?? []) as { name: string }[]
        ).map((c) => c.name);
        t.deepEqual(docs.map((d) => d.cluster).sort(), [...clusters].sort(), "one TektonConfig per compute cluster");
        const denied: string[] = [];
        for (const d of docs) {
            const { version, from } = targetedVersion(stack, d.cluster);
            const r = checkTektonConfig(d.doc, version);
            t.log(`${d.file} @ ${version} (${from}): ${r.message}`);
            if (!r.ok) denied.push(`${d.file} @ ${version}: ${r.message}`);
        }
        t.deepEqual(denied, [], `denied by the operator:\n${denied.join("\n")}`);
    });
}

/** A TektonConfig the OpenShift operator admits at every checked version: the singleton name, its namespace. */
function minimal(spec: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        apiVersion: "operator.tekton.dev/v1alpha1",
        kind: "TektonConfig",
        metadata: { name: "config" },
        spec: { profile: "all", targetNamespace: "openshift-pipelines", ...spec },
    };
}

test("the checkers of both gate versions are pinned and report the operator module they were built from", (t) => {
    t.true(checkerVersions().includes(`v${OLD}`));
    t.true(checkerVersions().includes(`v${NEW}`));
    for (const v of [OLD, NEW]) {
        const r = checkTektonConfig(minimal(), v);
        t.true(r.ok, r.message);
        t.regex(r.message, new RegExp(`: OK \\(github\\.com/tektoncd/operator v${v.replace(/\./g, "\\.")}\\)$`));
    }
});

test(`a field ${OLD} lacks (spec.trigger.disabled, spec.result) fails under ${OLD} with the operator's strict-decoding message and passes under ${NEW}`, (t) => {
    const triggersOff = minimal({ trigger: { disabled: true } });
    const old = checkTektonConfig(triggersOff, OLD);
    t.false(old.ok);
    t.true(
        old.message.includes(
            'DENIED: admission webhook "webhook.operator.tekton.dev" denied the request: mutation failed: cannot decode incoming new object: json: unknown field "disabled"',
        ),
        old.message,
    );
    const now = checkTektonConfig(triggersOff, NEW);
    t.true(now.ok, now.message);

    const results = minimal({ result: { disabled: false } });
    const oldResult = checkTektonConfig(results, OLD);
    t.false(oldResult.ok);
    t.true(oldResult.message.includes('json: unknown field "result"'), oldResult.message);
    t.true(checkTektonConfig(results, NEW).ok);
});

test(`the prod TektonConfig as rendered today is refused by the ${OLD} webhooks (what a version bump down breaks)`, async (t) => {
    t.timeout(15 * 60_000);
    const { docs } = await rendered("prod");
    t.true(docs.length > 0);
    for (const d of docs) {
        const r = checkTektonConfig(d.doc, OLD);
        t.log(`${d.file} @ ${OLD}: ${r.message}`);
        t.false(r.ok, r.message);
        t.regex(
            r.message,
            /admission webhook "webhook\.operator\.tekton\.dev" denied the request: mutation failed: cannot decode incoming new object: json: unknown field "/,
        );
    }
});

test("a value the operator's Validate rejects fails with its message: keep and keep-since together, a second TektonConfig name", (t) => {
    const pruner = minimal({
        pruner: { disabled: false, keep: 3, "keep-since": 80, resources: ["pipelinerun"], schedule: "*/30 * * * *" },
    });
    for (const v of [OLD, NEW]) {
        const r = checkTektonConfig(pruner, v);
        t.false(r.ok);
        t.true(
            r.message.includes(
                'DENIED: admission webhook "validation.webhook.operator.tekton.dev" denied the request: validation failed: expected exactly one, got both: spec.pruner.keep, spec.pruner.keep-since',
            ),
            r.message,
        );
    }
    const named = { ...minimal(), metadata: { name: "second" } };
    const r = checkTektonConfig(named, NEW);
    t.false(r.ok);
    t.true(r.message.includes("Only one instance of TektonConfig is allowed by name, config"), r.message);
});

test("a version without a checker is an error naming it, not a verdict", (t) => {
    const e = t.throws(() => checkTektonConfig(minimal(), "0.68.0"));
    t.regex(
        e!.message,
        /no TektonConfig checker for tektoncd\/operator v0\.68\.0: tools\/versions\.json tektonOperatorCheck\.versions has /,
    );
});

test("the CLI: --help exits 0, rendered manifests pass under the targeted version, a denial exits 1 with the message", async (t) => {
    t.timeout(15 * 60_000);
    const cli = (args: string[]) =>
        sh("node", ["--import", "tsx", path.join(ROOT, "scripts", "check-tektonconfig.ts"), ...args], ROOT, env);
    const help = await cli(["--help"]);
    t.is(help.code, 0);
    t.regex(
        help.stdout,
        /^usage: node --import tsx scripts\/check-tektonconfig\.ts --operator-version VERSION FILE\|DIR/,
    );

    const { docs } = await rendered("local");
    t.true(docs.length > 0);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "operator-conformance-cli-"));
    scratches.push(tmp);
    const file = path.join(tmp, "manifests.yaml");
    fs.writeFileSync(
        file,
        docs.map((d) => YAML.stringify(d.doc)).join("---\n") +
            "---\n" +
            YAML.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
    );
    try {
        const { version } = targetedVersion("local", docs[0]!.cluster);
        const ok = await cli(["--operator-version", version, file]);
        t.is(ok.code, 0, ok.stdout + ok.stderr);
        t.is(
            ok.stdout
                .trim()
                .split("\n")
                .filter((l) => /: TektonConfig\/config: OK /.test(l)).length,
            docs.length,
        );

        fs.writeFileSync(file, YAML.stringify(minimal({ trigger: { disabled: true } })));
        const bad = await cli(["-o", OLD, file]);
        t.is(bad.code, 1);
        t.regex(bad.stdout, /TektonConfig\/config: DENIED: .*json: unknown field "disabled"/);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});
