/**
 * Fixtures and shared assertions for the component tests: resolved settings from the real stack files, and the
 * invariants every Kubernetes resource of a component must satisfy (parent chain, explicit provider, hardened
 * containers).
 */
import type { ExecutionContext } from "ava";
import { DEFAULTS, resolveConfig, type PipelineServiceConfig, type Settings } from "../../../lib/config.js";
import { RESTRICTED_SECURITY_CONTEXT } from "../../../lib/k8s.js";
import {
    type Collected,
    collected,
    containersOf,
    descendantsOf,
    providerUrn,
    stackValues,
} from "../../helpers/mocks.js";

/** `specialSigKey` / `specialSecretSig` of the SDK's wire format (runtime/rpc.ts). */
export { isSecretValue, unsecret } from "../../helpers/secrets.js";

/** A fresh deep copy (structuredClone keeps the tests from sharing fixture objects). */
export function copy<T>(v: T): T {
    return structuredClone(v);
}

/** The resolved configuration of `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: "local" | "dev" | "prod"): PipelineServiceConfig {
    return resolveConfig(stack, stackValues(stack));
}

/** Settings of one cluster of a stack file (default: the first). */
export function clusterSettings(stack: "local" | "dev" | "prod", cluster = 0): Settings {
    return copy(stackConfig(stack).clusters[cluster]!.settings);
}

/** The defaults, with readiness waiting on (the dev/staging/prod behaviour). */
export function defaultSettings(): Settings {
    return copy(DEFAULTS);
}

export const READY = { waitFor: true, timeoutSeconds: 600 } as const;
export const NO_WAIT = { waitFor: false, timeoutSeconds: 120 } as const;

/** Kubernetes resources (type token `kubernetes:*`) among `list`. */
export function k8sOnly(list: Collected[]): Collected[] {
    return list.filter((c) => c.type.startsWith("kubernetes:"));
}

/**
 * Every resource registered under `componentUrn` is a descendant of it through `parent`, every Kubernetes
 * resource names an explicit provider (`expectedProvider`, or per-resource override), and every workload
 * container is hardened. Returns the component's Kubernetes descendants.
 */
export function assertK8sChildren(
    t: ExecutionContext,
    componentUrn: string,
    expectedProvider: string,
    overrides: Record<string, string> = {},
): Collected[] {
    const desc = descendantsOf(componentUrn);
    const kube = k8sOnly(desc);
    t.true(kube.length > 0, `no Kubernetes resources under ${componentUrn}`);
    for (const c of kube) {
        t.truthy(c.provider, `${c.type} ${c.name} has no explicit provider`);
        t.is(
            providerUrn(c.provider),
            overrides[c.name] ?? expectedProvider,
            `${c.type} ${c.name} uses the wrong provider`,
        );
        t.true(c.custom, `${c.name} should be a custom resource`);
    }
    for (const c of kube.filter((x) => /:(Deployment|StatefulSet|DaemonSet|Job)$/.test(x.type))) assertHardened(t, c);
    return kube;
}

/** The restricted securityContext and CPU/memory requests and limits on every container of a workload. */
export function assertHardened(t: ExecutionContext, workload: Collected): void {
    const containers = containersOf(workload);
    t.true(containers.length > 0, `${workload.name} has no containers`);
    const podSc = workload.inputs.spec.template.spec.securityContext;
    t.is(podSc?.runAsNonRoot, true, `${workload.name}: pod securityContext.runAsNonRoot`);
    t.deepEqual(podSc?.seccompProfile, { type: "RuntimeDefault" }, `${workload.name}: pod seccompProfile`);
    for (const c of containers) {
        t.deepEqual(
            c.securityContext,
            { ...RESTRICTED_SECURITY_CONTEXT },
            `${workload.name}/${c.name}: securityContext`,
        );
        for (const kind of ["requests", "limits"] as const) {
            t.truthy(c.resources?.[kind]?.cpu, `${workload.name}/${c.name}: resources.${kind}.cpu`);
            t.truthy(c.resources?.[kind]?.memory, `${workload.name}/${c.name}: resources.${kind}.memory`);
        }
        t.regex(
            String(c.image),
            /(@sha256:[a-f0-9]{64}|:[a-f0-9]{7,40})$/,
            `${workload.name}/${c.name}: image is pinned`,
        );
    }
}

/** The direct children (by parent URN) of a resource. */
export function childrenOf(urn: string): Collected[] {
    return collected.filter((c) => c.parent === urn);
}

/** Keys of the outputs a component registered. */
export function outputKeys(outputs: Record<string, unknown> | undefined): string[] {
    return Object.keys(outputs ?? {}).sort();
}

/** A SHA-256 digest string for tests. */
export const DIGEST = `sha256:${"ab12".repeat(16)}`;
