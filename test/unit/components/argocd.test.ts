import test from "ava";
import { collected, find, installMocks, ofKind, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import { READY, assertK8sChildren, childrenOf, defaultSettings, outputKeys } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const { ArgoCd, ARGOCD_CONTROLLER_SA, CONTROLLER_ROLES, buildRootApplication } =
    await import("../../../components/argocd.js");
const { platformPath } = await import("../../../lib/naming.js");
const { ConfigError, resolveConfig } = await import("../../../lib/config.js");
const { stackValues } = await import("../../helpers/stack.js");

/** A team GitOps repository (the defaults have none: lib/config.ts DEFAULTS.gitops is empty on purpose). */
const gitops = {
    repoUrl: "https://gitops.example.com/team/gitops.git",
    revision: "main",
    path: "components/pipeline-service-extras/dev",
};
const provider = new k8s.Provider("argo-k8s", { clusterIdentifier: "argo" });
const argo = new ArgoCd("c1-argocd", {
    provider,
    gitops: { ...gitops, revision: "release-1" },
    managedNamespaces: ["openshift-pipelines", "tekton-results"],
    readiness: READY,
});
const [argoUrn, providerUrnValue] = await Promise.all([promiseOf(argo.urn), promiseOf(provider.urn)]);
await settle();

test("type token, and the component's direct children", (t) => {
    const comp = find("pipeline-service:argocd:ArgoCd", "c1-argocd");
    t.false(comp.custom);
    t.deepEqual(
        childrenOf(argoUrn)
            .map((c) => `${c.type} ${c.name}`)
            .sort(),
        [
            "kubernetes:argoproj.io/v1alpha1:Application c1-argocd-root-application",
            "kubernetes:core/v1:Namespace c1-argocd-ns-openshift-pipelines",
            "kubernetes:core/v1:Namespace c1-argocd-ns-tekton-results",
            ...CONTROLLER_ROLES.map((r) => `kubernetes:rbac.authorization.k8s.io/v1:ClusterRole c1-argocd-${r.name}`),
            ...CONTROLLER_ROLES.map(
                (r) => `kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding c1-argocd-${r.name}`,
            ),
            "pipeline-service:olm:OperatorSubscription c1-argocd-gitops-operator",
        ].sort(),
    );
});

test("every Kubernetes resource is under the component with the explicit provider", (t) => {
    const kube = assertK8sChildren(t, argoUrn, providerUrnValue);
    t.is(kube.length, 2 + 2 * CONTROLLER_ROLES.length + 1 + 1); // namespaces, roles+bindings, application, subscription
});

test("the OpenShift GitOps operator Subscription", (t) => {
    const s = find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "c1-argocd-gitops-operator-subscription");
    t.is(s.inputs.metadata.name, "openshift-gitops-operator");
    t.is(s.inputs.metadata.namespace, "openshift-operators");
    t.like(s.inputs.spec, {
        name: "openshift-gitops-operator",
        channel: "latest",
        source: "redhat-operators",
        sourceNamespace: "openshift-marketplace",
        installPlanApproval: "Automatic",
    });
    t.is(s.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.state}=AtLatestKnown");
});

test("managed namespaces carry the Argo CD managed-by label and wave -1", (t) => {
    const nss = ofKind("Namespace", "c1-argocd-ns-");
    t.deepEqual(nss.map((n) => n.inputs.metadata.name).sort(), ["openshift-pipelines", "tekton-results"]);
    for (const ns of nss) {
        t.is(ns.inputs.metadata.labels["argocd.argoproj.io/managed-by"], "openshift-gitops");
        t.is(ns.inputs.metadata.labels["app.kubernetes.io/part-of"], "pipeline-service");
        t.is(ns.inputs.metadata.annotations["argocd.argoproj.io/sync-wave"], "-1");
        t.is(ns.inputs.apiVersion, "v1");
    }
});

test("controller ClusterRoles and bindings to the application controller SA", (t) => {
    for (const role of CONTROLLER_ROLES) {
        const cr = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", `c1-argocd-${role.name}`);
        t.is(cr.inputs.metadata.name, role.name);
        t.deepEqual(cr.inputs.rules, role.rules);
        const crb = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `c1-argocd-${role.name}`);
        t.deepEqual(crb.inputs.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: role.name,
        });
        t.deepEqual(crb.inputs.subjects, [
            { kind: "ServiceAccount", name: ARGOCD_CONTROLLER_SA, namespace: "openshift-gitops" },
        ]);
        t.true(crb.dependencies.includes(collected.find((c) => c === cr)!.urn), "binding depends on its role");
    }
    const resources = CONTROLLER_ROLES.flatMap((r) => r.rules.flatMap((x) => x.resources));
    for (const r of ["tektonconfigs", "servicemonitors", "securitycontextconstraints", "jobs", "cronjobs"])
        t.true(resources.includes(r), r);
});

test("the root Application: automated prune/selfHeal, CreateNamespace, retry forever, in-cluster destination", (t) => {
    const app = find("kubernetes:argoproj.io/v1alpha1:Application", "c1-argocd-root-application");
    t.is(app.inputs.metadata.name, "pipeline-service");
    t.is(app.inputs.metadata.namespace, "openshift-gitops");
    t.deepEqual(app.inputs.spec, {
        project: "default",
        source: { repoURL: gitops.repoUrl, targetRevision: "release-1", path: gitops.path },
        destination: { server: "https://kubernetes.default.svc", namespace: "openshift-gitops" },
        syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ["CreateNamespace=true"],
            retry: { limit: -1, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
        },
    });
});

test("the Application waits for the GitOps operator (its CRD comes from it)", (t) => {
    const app = find("kubernetes:argoproj.io/v1alpha1:Application", "c1-argocd-root-application");
    const sub = find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "c1-argocd-gitops-operator-subscription");
    t.true(app.dependencies.includes(sub.urn));
});

test("registerOutputs and applicationName", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(argoUrn)), [
        "application",
        "applicationName",
        "clusterRoles",
        "namespaces",
        "operator",
    ]);
    t.is(await promiseOf(argo.applicationName), "pipeline-service");
});

test("gitops delivery mode: the Application syncs <gitops.path>/<cluster> recursively (the render's 0-crd/ and 1-manifest/)", (t) => {
    const spec = buildRootApplication(
        { ...gitops, path: "components/pipeline-service/production/" },
        { mode: "gitops", cluster: "stone-prd-rh01" },
    ).spec as Record<string, any>;
    t.deepEqual(spec.source, {
        repoURL: gitops.repoUrl,
        targetRevision: "main",
        path: "components/pipeline-service/production/stone-prd-rh01",
        directory: { recurse: true },
    });
    t.is(platformPath("a/b", "c1"), "a/b/c1");
    // direct mode (explicit or default) tracks gitops.path itself, no recursion.
    t.deepEqual(
        (buildRootApplication(gitops, { mode: "direct", cluster: "c1" }).spec as Record<string, any>).source,
        (buildRootApplication(gitops).spec as Record<string, any>).source,
    );
    t.false("directory" in (buildRootApplication(gitops).spec as Record<string, any>).source);
});

test("no default source: a stack without gitops keys fails validation naming them; prod needs a 40-hex revision", (t) => {
    t.deepEqual(defaultSettings().gitops, { repoUrl: "", revision: "", path: "" });
    const raw = stackValues("local");
    delete raw.gitops;
    const err = t.throws(() => resolveConfig("local", raw), { instanceOf: ConfigError });
    for (const k of ["gitops.repoUrl", "gitops.revision", "gitops.path"])
        t.true(
            err!.problems.some((p) => p.startsWith(`pipeline-service:${k}: `)),
            k,
        );
    const prod = stackValues("prod");
    prod.gitops = { ...(prod.gitops as object), revision: "main" };
    const perr = t.throws(() => resolveConfig("prod", prod), { instanceOf: ConfigError });
    t.true(
        perr!.problems.some((p) => p.startsWith("pipeline-service:gitops.revision: must be a 40-hex commit in prod")),
        perr!.message,
    );
    const dev = stackValues("dev");
    dev.gitops = { ...(dev.gitops as object), revision: "main" };
    t.notThrows(() => resolveConfig("dev", dev), "dev may follow a branch");
});

test("gitops delivery needs delivery.renderDir and external secrets", (t) => {
    const raw = stackValues("local");
    raw.delivery = { mode: "gitops" };
    const err = t.throws(() => resolveConfig("local", raw), { instanceOf: ConfigError });
    t.true(
        err!.problems.some((p) => p.startsWith("pipeline-service:delivery.renderDir: ")),
        err!.message,
    );
    raw.delivery = { mode: "gitops", renderDir: "../gitops" };
    t.is(resolveConfig("local", raw).delivery.mode, "gitops");
    raw.delivery = { mode: "pull" };
    t.true(
        t
            .throws(() => resolveConfig("local", raw), { instanceOf: ConfigError })!
            .problems.some((p) => p.startsWith("pipeline-service:delivery.mode: must be direct or gitops")),
    );
    delete raw.delivery;
    t.deepEqual(resolveConfig("local", raw).delivery, { mode: "direct", renderDir: undefined });
});

test("buildRootApplication is pure", (t) => {
    t.deepEqual(buildRootApplication(gitops), buildRootApplication(structuredClone(gitops)));
    t.is((buildRootApplication(gitops).spec as { source: { repoURL: string } }).source.repoURL, gitops.repoUrl);
});
