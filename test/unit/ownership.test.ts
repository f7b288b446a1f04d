/**
 * One owner per object (issue 10 §1, upstream-conformance §1.5): for every stack, in its own delivery mode and in the
 * other one, the whole program runs under mocks and this test compares, per cluster, what Pulumi applies (objects on
 * a provider that talks to the cluster) with what the cluster's root Argo CD Application would apply:
 * - `gitops` mode: the tree Pulumi renders for Argo CD (objects on a render-only provider whose directory is
 *   `<delivery.renderDir>/<source.path>`);
 * - a source this program knows the content of: the deprecated upstream tree ({@link UPSTREAM_TREE});
 * - any other source is the GitOps repository's own content, which must not be a tree the program renders.
 * Any object in both sets fails. A deliberately overlapping Application (the old upstream default) must fail.
 *
 * The runtime's mocks are process-global, so each program runs in a child process (see {@link runStack}).
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { resolveConfig } from "../../lib/config.js";
import { normalizeRepo } from "../../policy/rules/argocd-application-source.js";
import { configOf, mockableStackValues as stackValues, ROOT } from "../helpers/mocks.js";

interface Registered {
    type: string;
    name: string;
    inputs: any;
    provider?: string;
    custom: boolean;
    urn: string;
}

/** `group/Kind/namespace/name`, what makes two manifests the same object on a cluster. */
type Identity = string;

/**
 * The objects of pipeline-service `operator/gitops/argocd/pipeline-service` @5b34974a that this program also applies
 * (files: openshift-pipelines/osp-nightly-catalog-source.yaml, openshift-operator.yaml, tekton-config.yaml,
 * allow-argocd-to-manage.yaml, allow-argocd-to-manage-jobs.yaml, bugfix-pac-gitauth-secrets.yaml and
 * metrics-exporter/deployment.yaml; the components cite the same files). Only identities, no manifests.
 */
export const UPSTREAM_TREE = {
    repo: "github.com/openshift-pipelines/pipeline-service",
    path: "operator/gitops/argocd/pipeline-service",
    objects: [
        "operators.coreos.com/CatalogSource/openshift-marketplace/custom-operators",
        "operators.coreos.com/Subscription/openshift-operators/openshift-pipelines-operator",
        "operator.tekton.dev/TektonConfig//config",
        "rbac.authorization.k8s.io/ClusterRole//openshift-gitops-apply-tekton-config-parameters",
        "rbac.authorization.k8s.io/ClusterRole//openshift-gitops-jobs-admin",
        "rbac.authorization.k8s.io/ClusterRole//openshift-gitops-cronjobs-admin",
        "apps/Deployment/openshift-pipelines/pipeline-metrics-exporter",
    ] as Identity[],
};

/** Register the program of `stack` (with `values`) under mocks in a child process; every registration. */
function runStack(stack: string, values: Record<string, unknown>): Promise<Registered[]> {
    const mocks = pathToFileURL(path.join(ROOT, "test", "helpers", "mocks.ts")).href;
    const index = pathToFileURL(path.join(ROOT, "index.ts")).href;
    const code = `
        const m = await import(${JSON.stringify(mocks)});
        await m.installMocks(process.env.OWNERSHIP_STACK, JSON.parse(process.env.OWNERSHIP_CONFIG));
        const p = await import(${JSON.stringify(index)});
        await m.promiseOf(p.gatewayUrl);
        await m.settle();
        process.stdout.write(JSON.stringify(m.collected.map(({ type, name, inputs, provider, custom, urn }) => ({ type, name, inputs, provider, custom, urn }))));
    `;
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        OWNERSHIP_STACK: stack,
        OWNERSHIP_CONFIG: JSON.stringify(configOf(values)),
    };
    delete env.PIPELINE_SERVICE_RENDER_DIR; // apply mode: render-only providers are exactly the gitops-mode ones
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["--import", "tsx", "--input-type=module", "-e", code],
            { cwd: ROOT, env, maxBuffer: 256 * 1024 * 1024 },
            (err, stdout, stderr) =>
                err
                    ? reject(new Error(`${stack}: ${err.message}\n${stderr}`))
                    : resolve(JSON.parse(stdout) as Registered[]),
        );
    });
}

function identity(inputs: any): Identity {
    const apiVersion = String(inputs.apiVersion ?? "");
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    return `${group}/${inputs.kind}/${inputs.metadata?.namespace ?? ""}/${inputs.metadata?.name ?? ""}`;
}

const providerUrnOf = (ref?: string) => (ref ? ref.slice(0, ref.lastIndexOf("::")) : "");

export interface ClusterOwnership {
    cluster: string;
    /** Objects Pulumi applies on the cluster. */
    applied: Set<Identity>;
    /** Objects the cluster's root Application would apply (known content only). */
    argo: Set<Identity>;
    /** Objects both would apply. */
    overlap: Identity[];
    /** Rendered objects that no Application syncs (gitops mode would leave them undeployed). */
    orphans: Identity[];
    /** Application sources whose content is not known to this test (the GitOps repository's own content). */
    external: string[];
}

/**
 * Who owns what, per cluster (`clusterIdentifier`), from a program's registrations. `renderDir` is the stack's
 * `delivery.renderDir` (the GitOps repository checkout) in gitops mode.
 */
export function ownership(all: Registered[], renderDir?: string): ClusterOwnership[] {
    const providers = new Map(
        all.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => [r.urn, r.inputs]),
    );
    const objects = all.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    const clusters = [...new Set([...providers.values()].map((p) => String(p.clusterIdentifier)))].sort();
    return clusters.map((cluster) => {
        const on = (rendered: boolean) =>
            objects.filter((o) => {
                const p = providers.get(providerUrnOf(o.provider));
                return p && String(p.clusterIdentifier) === cluster && Boolean(p.renderYamlToDirectory) === rendered;
            });
        const applied = new Set(on(false).map((o) => identity(o.inputs)));
        const renderedByDir = new Map<string, Identity[]>();
        for (const o of on(true)) {
            const dir = path.normalize(String(providers.get(providerUrnOf(o.provider))!.renderYamlToDirectory));
            renderedByDir.set(dir, [...(renderedByDir.get(dir) ?? []), identity(o.inputs)]);
        }
        const argo = new Set<Identity>();
        const synced = new Set<string>();
        const external: string[] = [];
        for (const app of on(false).filter((o) => o.inputs.kind === "Application")) {
            const sources = [app.inputs.spec?.source, ...(app.inputs.spec?.sources ?? [])].filter(Boolean);
            for (const s of sources) {
                const dir = renderDir !== undefined ? path.normalize(path.join(renderDir, String(s.path))) : undefined;
                if (dir !== undefined && renderedByDir.has(dir)) {
                    synced.add(dir);
                    for (const id of renderedByDir.get(dir)!) argo.add(id);
                } else if (
                    normalizeRepo(String(s.repoURL)) === UPSTREAM_TREE.repo &&
                    String(s.path).replace(/\/+$/, "") === UPSTREAM_TREE.path
                ) {
                    for (const id of UPSTREAM_TREE.objects) argo.add(id);
                } else {
                    external.push(`${s.repoURL} ${s.path}`);
                }
            }
        }
        const orphans = [...renderedByDir].filter(([d]) => !synced.has(d)).flatMap(([, ids]) => ids);
        return { cluster, applied, argo, overlap: [...applied].filter((id) => argo.has(id)).sort(), orphans, external };
    });
}

/** A stack's values switched to gitops delivery (the GitOps checkout next to the project, the infra-deployments layout). */
function asGitops(stack: string): Record<string, unknown> {
    const v = structuredClone(stackValues(stack));
    v.delivery = { mode: "gitops", renderDir: "../gitops" };
    v.gitops = { ...(v.gitops as object), path: `components/pipeline-service/${stack}` };
    return v;
}

const STACKS = ["local", "dev", "prod"];
const runs = new Map<string, Promise<Registered[]>>();
function run(key: string, stack: string, values: Record<string, unknown>): Promise<Registered[]> {
    if (!runs.has(key)) runs.set(key, runStack(stack, values));
    return runs.get(key)!;
}

for (const stack of STACKS) {
    test(`${stack} (as committed, ${resolveConfig(stack, stackValues(stack)).delivery.mode}): no object is applied by both Pulumi and Argo CD`, async (t) => {
        t.timeout(10 * 60_000); // a child process per program; the machine may be busy building
        const values = stackValues(stack);
        const cfg = resolveConfig(stack, values);
        const result = ownership(await run(`${stack}:committed`, stack, values), cfg.delivery.renderDir);
        t.true(result.length >= cfg.clusters.length);
        for (const c of result) {
            t.deepEqual(c.overlap, [], `${stack}/${c.cluster}: both own ${c.overlap.join(", ")}`);
            t.deepEqual(c.orphans, [], `${stack}/${c.cluster}: rendered but synced by no Application`);
        }
        if (cfg.delivery.mode === "direct") {
            // Direct: Pulumi applies the whole platform; each compute cluster's Application tracks the team's own content.
            for (const cl of cfg.clusters) {
                const c = result.find((x) => x.cluster === cl.name)!;
                t.true(
                    c.applied.has("operator.tekton.dev/TektonConfig//config"),
                    `${cl.name}: Pulumi applies the TektonConfig`,
                );
                t.deepEqual(c.external, [`${cl.settings.gitops.repoUrl} ${cl.settings.gitops.path}`]);
                t.not(
                    normalizeRepo(cl.settings.gitops.repoUrl),
                    UPSTREAM_TREE.repo,
                    "never the deprecated upstream repository",
                );
            }
        }
    });

    test(`${stack} in gitops delivery mode: Pulumi applies only the bootstrap, Argo CD syncs the rendered platform, no overlap`, async (t) => {
        t.timeout(10 * 60_000);
        const values = asGitops(stack);
        const cfg = resolveConfig(stack, values);
        const all = await run(`${stack}:gitops`, stack, values);
        const result = ownership(all, cfg.delivery.renderDir);
        for (const cl of cfg.clusters) {
            const c = result.find((x) => x.cluster === cl.name)!;
            t.deepEqual(c.overlap, [], `${cl.name}: both own ${c.overlap.join(", ")}`);
            t.deepEqual(c.orphans, []);
            t.deepEqual(c.external, [], `${cl.name}: the Application tracks the rendered tree`);
            // The bootstrap stays with Pulumi.
            for (const id of [
                "operators.coreos.com/Subscription/openshift-operators/openshift-gitops-operator",
                "argoproj.io/Application/openshift-gitops/pipeline-service",
            ]) {
                t.true(c.applied.has(id), `${cl.name}: Pulumi applies ${id}`);
            }
            t.true(
                [...c.applied].some((id) => id.startsWith("external-secrets.io/")),
                `${cl.name}: secret-store references are applied`,
            );
            // The platform goes to Argo CD.
            for (const id of [
                "operator.tekton.dev/TektonConfig//config",
                "operators.coreos.com/CatalogSource/openshift-marketplace/custom-operators",
                "operators.coreos.com/Subscription/openshift-operators/openshift-pipelines-operator",
                "apps/Deployment/openshift-pipelines/pipeline-metrics-exporter",
            ]) {
                t.true(c.argo.has(id), `${cl.name}: Argo CD applies ${id}`);
                t.false(c.applied.has(id), `${cl.name}: Pulumi does not apply ${id}`);
            }
            const dirs = all
                .filter(
                    (r) =>
                        r.type === "pulumi:providers:kubernetes" &&
                        r.inputs.clusterIdentifier === cl.name &&
                        r.inputs.renderYamlToDirectory,
                )
                .map((r) => r.inputs.renderYamlToDirectory);
            t.deepEqual(
                dirs,
                [path.join("../gitops", `components/pipeline-service/${stack}`, cl.name)],
                "the infra-deployments layout <path>/<cluster>",
            );
        }
        // The gateway is platform too: rendered on its host.
        const gw = all.find((r) => r.type === "kubernetes:route.openshift.io/v1:Route" && r.name === "gateway-route")!;
        t.truthy(all.find((r) => r.urn === providerUrnOf(gw.provider))!.inputs.renderYamlToDirectory);
        // kcp objects stay with Pulumi: the kcp workspace has no render-only provider.
        t.false(
            all.some(
                (r) =>
                    r.type === "pulumi:providers:kubernetes" &&
                    r.inputs.clusterIdentifier === "kcp" &&
                    r.inputs.renderYamlToDirectory,
            ),
        );
    });
}

test("a deliberately overlapping Application fails: the old default, upstream's deprecated tree at main", async (t) => {
    t.timeout(10 * 60_000);
    const values = structuredClone(stackValues("dev"));
    values.gitops = {
        repoUrl: "https://github.com/openshift-pipelines/pipeline-service.git",
        revision: "main",
        path: "operator/gitops/argocd/pipeline-service",
    };
    const result = ownership(await runStack("dev", values));
    const plnsvc = result.find((c) => c.cluster === "plnsvc")!;
    t.deepEqual(
        plnsvc.overlap,
        [...UPSTREAM_TREE.objects].sort(),
        "every object of upstream's tree that Pulumi also applies",
    );
    t.deepEqual(plnsvc.external, []);
});

test("gitops mode follows a cluster's own gitops.path override; a tree no Application syncs is reported as orphaned", async (t) => {
    t.timeout(10 * 60_000);
    const values = asGitops("prod");
    const clusters = values.clusters as { name: string; overrides?: Record<string, unknown> }[];
    clusters[1]!.overrides = {
        ...(clusters[1]!.overrides ?? {}),
        gitops: { path: "components/pipeline-service/elsewhere" },
    };
    const cfg = resolveConfig("prod", values);
    const all = await runStack("prod", values);
    const m01 = ownership(all, cfg.delivery.renderDir).find((c) => c.cluster === "stone-prd-m01")!;
    // The render and the Application both follow the cluster's own gitops.path: no orphan, no overlap.
    t.deepEqual(m01.orphans, []);
    t.deepEqual(m01.overlap, []);
    t.true(m01.argo.has("operator.tekton.dev/TektonConfig//config"));
    // Judged against another checkout, nothing is synced: everything rendered is orphaned and the source is unknown.
    const wrong = ownership(all, "../elsewhere").find((c) => c.cluster === "stone-prd-m01")!;
    t.true(wrong.orphans.includes("operator.tekton.dev/TektonConfig//config"));
    t.is(wrong.external.length, 1);
});
