/**
 * The pack under the real Pulumi CLI (3.163, built by `npm run tools`): `pulumi preview --policy-pack policy
 * --policy-pack-config policy/config/<env>.json`. Skipped when the CLI or the kubernetes plugin is not built.
 *
 * Nothing in the repository is touched: the program is copied to a temporary directory (node_modules linked),
 * previewed with a temporary local backend and PULUMI_HOME, and rendered (PIPELINE_SERVICE_RENDER_DIR), so no
 * cluster is needed.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { ROOT } from "./helpers/program.js";

const run = promisify(execFile);
const TOOLS = path.join(ROOT, ".tools", "bin");
const CACHE =
    process.env.PIPELINE_SERVICE_TOOLS_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pipeline-service", "tools");

/** A directory holding pulumi-resource-kubernetes 4.25.0, if one was built. */
function kubernetesPluginDir(): string | undefined {
    const candidates = [
        path.join(ROOT, ".pulumi-home", "plugins", "resource-kubernetes-v4.25.0"),
        ...(fs.existsSync(CACHE)
            ? fs
                  .readdirSync(CACHE)
                  .filter((d) => d.startsWith("plugin-kubernetes-4.25.0"))
                  .map((d) => path.join(CACHE, d, "bin"))
            : []),
    ];
    return candidates.find((d) => fs.existsSync(path.join(d, "pulumi-resource-kubernetes")));
}

const plugin = kubernetesPluginDir();
const available =
    fs.existsSync(path.join(TOOLS, "pulumi")) &&
    fs.existsSync(path.join(TOOLS, "pulumi-analyzer-policy")) &&
    plugin !== undefined;
const cliTest = available ? test.serial : test.skip;

const EXCLUDE = new Set([
    "node_modules",
    ".git",
    ".pulumi-home",
    ".pulumi-state",
    ".tools",
    ".local",
    "audit",
    "bench",
]);

function scratch(): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
    fs.mkdirSync(path.join(dir, "state"));
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${TOOLS}:${plugin}:${process.env.PATH}`,
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_CONFIG_PASSPHRASE: "policy-cli-test",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS: "true",
        PIPELINE_SERVICE_RENDER_DIR: path.join(dir, "render"),
    };
    delete env.NODE_OPTIONS;
    return { dir, env };
}

async function preview(
    cwd: string,
    env: NodeJS.ProcessEnv,
    stack: string,
    config: string,
): Promise<{ code: number; out: string }> {
    await run("pulumi", ["stack", "init", stack], { cwd, env });
    try {
        const { stdout, stderr } = await run(
            "pulumi",
            [
                "preview",
                "--stack",
                stack,
                "--non-interactive",
                "--policy-pack",
                path.join(cwd, "policy"),
                "--policy-pack-config",
                path.join(cwd, "policy", "config", `${config}.json`),
            ],
            { cwd, env, maxBuffer: 64 << 20 },
        );
        return { code: 0, out: stdout + stderr };
    } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: err.code ?? 1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
    }
}

cliTest("the prod program passes the pack, every rule mandatory (pulumi preview, rendered)", async (t) => {
    t.timeout(600_000);
    const { dir, env } = scratch();
    const project = path.join(dir, "project");
    fs.cpSync(ROOT, project, {
        recursive: true,
        filter: (src) => !EXCLUDE.has(path.relative(ROOT, src).split(path.sep)[0]!),
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
    const { code, out } = await preview(project, env, "prod", "prod");
    t.log(
        out
            .split("\n")
            .filter((l) => /Policies:|pipeline-service@v|\[(mandatory|advisory)\]|to create/.test(l))
            .join("\n"),
    );
    t.is(code, 0, out.slice(-3000));
    t.regex(out, /✅ pipeline-service@v0\.1\.0/);
    t.notRegex(out, /can't run policy/);
    fs.rmSync(dir, { recursive: true, force: true });
});

cliTest("a violating program fails the preview under prod.json and only warns under dev.json", async (t) => {
    t.timeout(300_000);
    const { dir, env } = scratch();
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
    fs.cpSync(path.join(ROOT, "policy"), path.join(project, "policy"), { recursive: true });
    fs.cpSync(path.join(ROOT, "lib"), path.join(project, "lib"), { recursive: true }); // the pack reuses lib/config.ts
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: policy-cli\nruntime: nodejs\nmain: index.cjs\n");
    fs.writeFileSync(
        path.join(project, "package.json"),
        JSON.stringify({ name: "policy-cli", version: "0.0.0", private: true, type: "module" }),
    );
    fs.writeFileSync(
        path.join(project, "index.cjs"),
        [
            "const k8s = require('@pulumi/kubernetes');",
            `const provider = new k8s.Provider('c1', { renderYamlToDirectory: ${JSON.stringify(path.join(dir, "render"))} });`,
            "new k8s.apiextensions.CustomResource('catalog', { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'CatalogSource',",
            "  metadata: { name: 'custom-operators', namespace: 'openshift-marketplace' },",
            "  spec: { sourceType: 'grpc', image: 'quay.io/openshift-pipeline/index:v4.14-candidate' } }, { provider });",
            "new k8s.core.v1.Secret('literal', { metadata: { name: 'literal', namespace: 'openshift-pipelines' }, stringData: { token: 'x' } });",
            "",
        ].join("\n"),
    );
    const prod = await preview(project, env, "prod", "prod");
    t.not(prod.code, 0, "mandatory violations fail the preview");
    for (const rule of ["catalog-source-grpc-digest-pinned", "no-literal-secrets", "kubernetes-explicit-provider"]) {
        t.regex(prod.out, new RegExp(`\\[mandatory\\]\\s+${rule}`), rule);
    }
    const dev = await preview(project, env, "dev", "dev");
    t.is(dev.code, 0, dev.out.slice(-3000));
    t.regex(dev.out, /\[advisory\]\s+catalog-source-grpc-digest-pinned/);
    t.notRegex(dev.out, /no-literal-secrets/, "literal Secrets are allowed in dev");
    fs.rmSync(dir, { recursive: true, force: true });
});
