/**
 * Run the whole program (index.ts) under mocks with the configuration of `Pulumi.<stack>.yaml`, and the checks every
 * stack must pass. One ava file per stack, since the runtime's mocks and config are process-global.
 */
import test from "ava";
import type * as pulumi from "@pulumi/pulumi";
import { resolveConfig, type PipelineServiceConfig } from "../../../lib/config.js";
import { expectedCsvOf } from "../../../lib/fleet.js";
import { GATEWAY_NAMESPACE, pacRouteUrl, syncTargetName } from "../../../lib/naming.js";
import {
    type Collected,
    collected,
    configOf,
    descendantsOf,
    find,
    installMocks,
    ofKind,
    promiseOf,
    providerUrn,
    settle,
    stackValues,
} from "../../helpers/mocks.js";
import { assertK8sChildren, k8sOnly } from "./fixtures.js";

export const CC = "pipeline-service:cluster:ComputeCluster";
export const PROVIDER = "pulumi:providers:kubernetes";
/** The type of a rollout ring's gate (index.ts `ringGate`). */
export const RING_GATE = "kubernetes:yaml/v2:ConfigGroup";

/** What index.ts exports (its stack outputs). */
export interface ProgramExports {
    clusters: Record<string, Record<string, pulumi.Input<unknown>>>;
    gatewayUrl: pulumi.Output<string>;
    gatewayMode: string;
    gatewayBackends: pulumi.Output<string[]>;
    environment: string;
    renderedTo: pulumi.Input<string>;
}

export interface Program {
    cfg: PipelineServiceConfig;
    exports: ProgramExports;
    /** ComputeCluster component of each cluster, by cluster name. */
    clusters: Map<string, Collected>;
}

/**
 * Install mocks with the stack's config (or `values` in its place), import index.ts and wait for every
 * registration.
 */
export async function runProgram(
    stack: string,
    values: Record<string, unknown> = stackValues(stack),
): Promise<Program> {
    await installMocks(stack, configOf(values));
    const exports = (await import("../../../index.js")) as unknown as ProgramExports;
    await promiseOf(exports.gatewayUrl);
    await settle();
    const cfg = resolveConfig(stack, values);
    // A removed cluster has no component (lib/fleet.ts states).
    const clusters = new Map(cfg.clusters.filter((c) => c.state !== "removed").map((c) => [c.name, find(CC, c.name)]));
    return { cfg, exports, clusters };
}

/** URNs of the custom resources under a component. */
function customUrns(urn: string): string[] {
    return descendantsOf(urn)
        .filter((c) => c.custom)
        .map((c) => c.urn);
}

/** The checks every stack must pass. */
/**
 * Kinds the kubernetes provider awaits by default (pulumi-kubernetes provider/pkg/await awaiters@v4.25.0): without the
 * stack's readiness annotations such an object either waits without the stack's bound or, where nothing runs (the
 * local stack: no kubelet, no operator), waits ten minutes for endpoints or pods that never come.
 */
const AWAITED_KINDS = [
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "Ingress",
    "PersistentVolumeClaim",
    "Pod",
];

export function commonProgramTests(p: Program): void {
    test("every object the provider awaits carries the stack's readiness: skipAwait where it is off, the timeout where it is on", (t) => {
        const waits = new Set(p.cfg.clusters.map((c) => c.settings.readiness.waitFor));
        const awaited = collected.filter(
            (c) =>
                (c.custom && AWAITED_KINDS.includes(String(c.inputs?.kind ?? ""))) ||
                (c.custom && AWAITED_KINDS.some((k) => c.type.endsWith(`:${k}`))),
        );
        t.true(awaited.length > 0);
        for (const c of awaited) {
            const a = (c.inputs?.metadata?.annotations ?? {}) as Record<string, string>;
            const skip = a["pulumi.com/skipAwait"] === "true";
            const bounded = /^\d+$/.test(a["pulumi.com/timeoutSeconds"] ?? "");
            if (!waits.has(true))
                t.true(
                    skip,
                    `${c.type} ${c.name}: readiness is off, so it needs pulumi.com/skipAwait (awaitAnnotations)`,
                );
            else if (!waits.has(false))
                t.true(bounded, `${c.type} ${c.name}: needs pulumi.com/timeoutSeconds (awaitAnnotations)`);
            else t.true(skip || bounded, `${c.type} ${c.name}: needs awaitAnnotations(readiness)`);
        }
    });

    test("every cluster gets a ComputeCluster with its own Provider, clusterIdentifier = cluster name", async (t) => {
        const { cfg, clusters } = p;
        t.is(collected.filter((c) => c.type === CC).length, cfg.clusters.length);
        for (const c of cfg.clusters) {
            const comp = clusters.get(c.name)!;
            t.is(comp.parent, "", `${c.name} is a top-level component`);
            const provs = collected.filter((x) => x.type === PROVIDER && x.parent === comp.urn);
            t.is(provs.length, 1, `${c.name} has exactly one provider`);
            t.is(provs[0]!.inputs.clusterIdentifier, c.name);
            if (c.kubeconfig.context) t.is(provs[0]!.inputs.context, c.kubeconfig.context);
            assertK8sChildren(
                t,
                comp.urn,
                provs[0]!.urn,
                c.settings.kcp.enabled
                    ? Object.fromEntries(
                          ["synctarget", "kcp-sa", "kcp-role", "kcp-binding", "kcp-token"].map((x) => [
                              `${c.name}-syncer-${x}`,
                              find(PROVIDER, "kcp").urn,
                          ]),
                      )
                    : {},
            );
        }
        const providers = collected.filter((x) => x.type === PROVIDER).map((x) => x.inputs.clusterIdentifier);
        t.is(new Set(providers).size, providers.length, "clusterIdentifiers are unique");
    });

    test("no Kubernetes resource uses the default provider", (t) => {
        t.true(k8sOnly(collected).length > 40);
        for (const c of k8sOnly(collected)) {
            t.truthy(c.provider, c.name);
            t.false(providerUrn(c.provider).includes("pulumi:providers:kubernetes::default"), c.name);
        }
    });

    test("rings: each cluster waits on the previous ring's gate only, and the gate on every resource of that ring and nothing else", async (t) => {
        const { cfg, clusters } = p;
        const rings = [...new Set(cfg.clusters.map((c) => c.ring))].sort((a, b) => a - b);
        const gates = collected.filter((c) => c.type === RING_GATE);
        t.deepEqual(
            gates.map((g) => g.name).sort(),
            rings
                .slice(0, -1)
                .map((r) => `ring-${r}-gate`)
                .sort(),
            "one gate per ring that has a next ring",
        );
        for (const c of cfg.clusters) {
            const prev = rings.filter((r) => r < c.ring).pop();
            if (prev === undefined) {
                t.deepEqual(clusters.get(c.name)!.dependencies, [], `${c.name} is in the first ring`);
                continue;
            }
            const gate = find(RING_GATE, `ring-${prev}-gate`);
            t.deepEqual(
                clusters.get(c.name)!.dependencies,
                [gate.urn],
                `${c.name} (ring ${c.ring}) waits on ring-${prev}-gate only`,
            );
            t.true(clusters.get(c.name)!.seq > gate.seq, `${c.name} registers after the gate`);
        }
        for (const r of rings.slice(0, -1)) {
            const gate = find(RING_GATE, `ring-${r}-gate`);
            const deps = new Set(gate.dependencies);
            const members = cfg.clusters.filter((c) => c.ring === r);
            for (const o of cfg.clusters) {
                const theirs = customUrns(clusters.get(o.name)!.urn);
                if (o.ring === r) for (const u of theirs) t.true(deps.has(u), `ring-${r}-gate waits for ${u}`);
                else
                    t.false(
                        theirs.some((u) => deps.has(u)),
                        `ring-${r}-gate must not wait for ${o.name} (ring ${o.ring})`,
                    );
            }
            t.is(
                deps.size,
                members.reduce((n, m) => n + customUrns(clusters.get(m.name)!.urn).length, 0),
                "nothing else",
            );
            // Nothing to apply or render; registered through the ring's first cluster's provider, never the default one.
            t.deepEqual(gate.inputs.objs, []);
            t.is(providerUrn(gate.provider), find(PROVIDER, `${members[0]!.name}-k8s`).urn);
        }
        // Creation order: lower rings register first.
        const order = cfg.clusters.map((c) => ({ ring: c.ring, seq: clusters.get(c.name)!.seq }));
        for (const a of order) for (const b of order) if (a.ring < b.ring) t.true(a.seq < b.seq);
    });

    test("the gateway: on the host cluster's provider, backends = every member's PaC route", async (t) => {
        const { cfg, exports, clusters } = p;
        const gw = find("pipeline-service:gateway:Gateway", "gateway");
        const hostProvider = collected.find(
            (c) => c.type === PROVIDER && c.parent === clusters.get(cfg.gateway.hostCluster)!.urn,
        )!;
        assertK8sChildren(t, gw.urn, hostProvider.urn);
        const expected =
            cfg.gateway.mode === "fanout"
                ? cfg.clusters.map((c) => pacRouteUrl(c.appsDomain))
                : ["pipelines-as-code-controller.openshift-pipelines.svc.cluster.local:8080"];
        t.deepEqual(await promiseOf(exports.gatewayBackends), expected);
        if (cfg.gateway.mode === "fanout") {
            const c = find("kubernetes:apps/v1:Deployment", "gateway-deployment").inputs.spec.template.spec
                .containers[0];
            t.is(c.env.find((e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND").value, expected.join(" "));
        }
        t.is(find("kubernetes:route.openshift.io/v1:Route", "gateway-route").inputs.spec.host, cfg.gateway.hostname);
        t.is(await promiseOf(exports.gatewayUrl), `https://${cfg.gateway.hostname}`);
        t.is(exports.gatewayMode, cfg.gateway.mode);
        t.is(exports.environment, cfg.environment);
    });

    test("every ExternalSecret's namespace is allowed by the store on its cluster (gateway included)", async (t) => {
        const { cfg } = p;
        for (const c of cfg.clusters.filter((x) => x.settings.secrets.mode === "external")) {
            if (!c.settings.secretStore.manage) {
                // Shared stores are referenced, not created: each is read on the cluster (an existence check), and
                // every ExternalSecret there reads from one of them (upstream-conformance §1.6).
                const reads = collected.filter(
                    (x) =>
                        x.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore" &&
                        x.name.startsWith(`${c.name}-store-ref-`),
                );
                t.true(
                    reads.some((x) => x.name === `${c.name}-store-ref-${c.settings.secretStore.name}`),
                    `${c.name}: the store is checked`,
                );
                t.false(
                    collected.some((x) => x.name === `${c.name}-secrets-store`),
                    `${c.name}: the shared store is not created`,
                );
                const names = reads.map((x) => x.name.slice(`${c.name}-store-ref-`.length));
                const provider = providerUrn(reads[0]!.provider);
                for (const es of ofKind("ExternalSecret").filter((x) => providerUrn(x.provider) === provider)) {
                    t.true(
                        names.includes(es.inputs.spec.secretStoreRef.name),
                        `${c.name}: ${es.name} reads from a checked store`,
                    );
                }
                continue;
            }
            const store = find("kubernetes:external-secrets.io/v1:ClusterSecretStore", `${c.name}-secrets-store`);
            const allowed: string[] = store.inputs.spec.conditions[0].namespaces;
            const onCluster = ofKind("ExternalSecret").filter(
                (es) => providerUrn(es.provider) === providerUrn(store.provider),
            );
            t.true(onCluster.length >= 4);
            for (const es of onCluster)
                t.true(
                    allowed.includes(es.inputs.metadata.namespace),
                    `${c.name}: ${es.name} in ${es.inputs.metadata.namespace}`,
                );
            t.is(allowed.includes(GATEWAY_NAMESPACE[cfg.gateway.mode]), c.name === cfg.gateway.hostCluster);
        }
    });

    test("stack outputs: per cluster catalogDigest, channel, argoApplication, syncTarget, gatewayUrl", async (t) => {
        const { cfg, exports } = p;
        const out = (await promiseOf(exports.clusters)) as Record<string, Record<string, unknown>>;
        t.deepEqual(Object.keys(out).sort(), cfg.clusters.map((c) => c.name).sort());
        for (const c of cfg.clusters) {
            const o = out[c.name]!;
            t.is(o.ring, c.ring);
            t.is(o.catalogDigest, c.settings.osp.catalog.image.slice(c.settings.osp.catalog.image.indexOf("@") + 1));
            t.regex(String(o.catalogDigest), /^sha256:[a-f0-9]{64}$/);
            t.is(o.channel, c.settings.osp.subscription.channel);
            t.is(o.argoApplication, "openshift-gitops/pipeline-service");
            t.is(o.syncTarget, c.settings.kcp.enabled ? syncTargetName(c.name) : "");
            t.is(o.gatewayUrl, `https://${cfg.gateway.hostname}`);
            t.is(o.pacUrl, pacRouteUrl(c.appsDomain));
        }
    });

    test("each cluster's TektonConfig carries that cluster's resolved settings", async (t) => {
        const { cfg } = p;
        for (const c of cfg.clusters) {
            const spec = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${c.name}-osp-tektonconfig`)
                .inputs.spec;
            t.is(spec.targetNamespace, "openshift-pipelines");
            t.is(spec.platforms.openshift.pipelinesAsCode.settings["application-name"], c.settings.githubAppName);
            t.is(
                spec.platforms.openshift.pipelinesAsCode.settings["custom-console-url"],
                c.settings.hacConsoleUrl.replace(/\/+$/, ""),
            );
            t.like(spec.pipeline.performance, {
                buckets: c.settings.tekton.performance.buckets,
                replicas: c.settings.tekton.performance.replicas,
            });
            t.is(spec.result.watcher.completed_run_grace_period, c.settings.results.watcherGracePeriod);
            t.is(spec.pruner.disabled, c.settings.tekton.operatorPruner.disabled);
        }
    });

    test("every custom resource (operator CRD) carries SkipDryRunOnMissingResource", (t) => {
        const builtIn =
            /^kubernetes:(core\/v1|apps\/v1|rbac\.authorization\.k8s\.io\/v1|batch\/v1|networking\.k8s\.io\/v1|policy\/v1):/;
        // Reads (the shared-store existence checks, CustomResource.get) send no inputs and are never applied.
        const crs = k8sOnly(collected).filter((c) => !builtIn.test(c.type) && c.inputs?.apiVersion !== undefined);
        t.true(crs.length > 10);
        for (const c of crs)
            t.is(
                c.inputs.metadata?.annotations?.["argocd.argoproj.io/sync-options"],
                "SkipDryRunOnMissingResource=true",
                `${c.type} ${c.name}`,
            );
    });

    test("readiness annotations follow the stack (waitFor, or skipAwait)", async (t) => {
        const { cfg } = p;
        for (const c of cfg.clusters) {
            const sub = find(
                "kubernetes:operators.coreos.com/v1alpha1:Subscription",
                `${c.name}-osp-operator-subscription`,
            );
            if (c.settings.readiness.waitFor) {
                // AtLatestKnown, and the CSV the catalog installs (lib/fleet.ts expectedCsvOf) when it is known.
                const csv = expectedCsvOf(c.settings);
                t.deepEqual(
                    JSON.parse(sub.inputs.metadata.annotations["pulumi.com/waitFor"].replace(/^(?!\[)(.*)$/, '["$1"]')),
                    [
                        "jsonpath={.status.state}=AtLatestKnown",
                        ...(csv ? [`jsonpath={.status.installedCSV}=${csv}`] : []),
                    ],
                );
                t.is(
                    sub.inputs.metadata.annotations["pulumi.com/timeoutSeconds"],
                    String(c.settings.readiness.timeoutSeconds),
                );
            } else {
                t.is(sub.inputs.metadata.annotations["pulumi.com/skipAwait"], "true");
                t.false("pulumi.com/waitFor" in sub.inputs.metadata.annotations);
            }
        }
    });
}
