/**
 * Small Kubernetes helpers shared by the components: labels, await annotations, the restricted securityContext,
 * and a typed wrapper for custom resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Labels every object this program creates carries. */
export const COMMON_LABELS = {
    "app.kubernetes.io/part-of": "pipeline-service",
    "app.kubernetes.io/managed-by": "pulumi",
} as const;

/** The Argo CD instance that manages Pipeline Service namespaces (inventory §2.1, constraint 21). */
export const ARGOCD_NAMESPACE = "openshift-gitops";
export const ARGOCD_MANAGED_BY = { "argocd.argoproj.io/managed-by": ARGOCD_NAMESPACE } as const;

/** Where OSP installs Tekton (TektonConfig `spec.targetNamespace`, constraint 6). */
export const PIPELINES_NAMESPACE = "openshift-pipelines";

export interface Readiness {
    /** Wait for the resource's real readiness (dev, staging, prod). */
    waitFor: boolean;
    /** Await timeout, in seconds. */
    timeoutSeconds: number;
}

/**
 * Annotations that control how the kubernetes provider waits for a resource.
 *
 * - readiness on and `condition` given: `pulumi.com/waitFor` (e.g. `condition=Ready`,
 *   `jsonpath={.status.state}=AtLatestKnown`) plus `pulumi.com/timeoutSeconds`; several conditions are written as a
 *   JSON list, all of which must hold (pulumi-kubernetes pkg/metadata/overrides.go ReadyCondition@v4.25.0);
 * - readiness on, no condition: only the timeout (built-in awaiters such as Deployment's);
 * - readiness off (the local stack, where no operator or kubelet runs): `pulumi.com/skipAwait: "true"`.
 */
export function awaitAnnotations(r: Readiness, condition?: string | string[]): Record<string, string> {
    if (!r.waitFor) return { "pulumi.com/skipAwait": "true" };
    const out: Record<string, string> = { "pulumi.com/timeoutSeconds": String(r.timeoutSeconds) };
    const all = (Array.isArray(condition) ? condition : [condition]).filter((c): c is string => !!c);
    if (all.length) out["pulumi.com/waitFor"] = all.length === 1 ? all[0]! : JSON.stringify(all);
    return out;
}

/**
 * The container securityContext every Pipeline Service container runs with: non-root, read-only root filesystem,
 * no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.
 * Source: pipeline-service `b707aab` (PLNSRVCE-1476) and `operator/images/kcp-registrar/content/data/syncer-patch.yaml`
 * (constraints 34 and 44).
 */
export const RESTRICTED_SECURITY_CONTEXT: k8s.types.input.core.v1.SecurityContext = Object.freeze({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
});

/**
 * The pod securityContext every Pipeline Service pod runs with: non-root, RuntimeDefault seccomp (constraint 34).
 * A fresh object each call, so a builder may extend it.
 */
export function restrictedPodSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
    return { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
}

/**
 * Argo CD must not dry-run an object whose CRD an operator installs before the operator has installed it
 * (constraint 19, pipeline-service PR #229). The one source of this annotation.
 */
export const ARGOCD_SKIP_DRY_RUN = { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" } as const;

/** CPU/memory requests and limits (constraint 36). */
export interface Resources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/** A description of a custom resource; builders return these, components turn them into resources. */
export interface CustomResourceSpec {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    spec: pulumi.Input<Record<string, unknown>>;
}

/** Create a custom resource from a {@link CustomResourceSpec}. */
export function customResource(
    name: string,
    cr: CustomResourceSpec,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: cr.apiVersion,
            kind: cr.kind,
            metadata: {
                ...cr.metadata,
                // The CRD comes from an operator, so Argo CD must not dry-run it before the CRD exists.
                annotations: { ...ARGOCD_SKIP_DRY_RUN, ...cr.metadata.annotations },
            },
            spec: cr.spec,
        },
        opts,
    );
}

/** Merge label maps left to right. */
export function labels(...maps: (Record<string, string> | undefined)[]): Record<string, string> {
    return Object.assign({}, COMMON_LABELS, ...maps.filter(Boolean));
}

/**
 * A namespace Argo CD manages: sync wave "-1" and the label `argocd.argoproj.io/managed-by: openshift-gitops`
 * (PLNSRVCE-1620, pipeline-service `4bbdd46`; constraint 21). Used for the namespaces of the root Application and
 * the gateway's namespace.
 * @param name `metadata.name` of the Namespace.
 */
export function buildManagedNamespace(name: string): k8s.core.v1.NamespaceArgs {
    return {
        metadata: {
            name,
            labels: labels(ARGOCD_MANAGED_BY),
            annotations: { "argocd.argoproj.io/sync-wave": "-1" },
        },
    };
}

/**
 * Secret `pipelines-as-code-secret` holding the GitHub App's webhook secret under `webhook.secret`, the key PaC and
 * SprayProxy read (constraint 29). `webhookSecret` should be a Pulumi secret Output so it stays encrypted in state;
 * for the Vault-backed modes the same Secret is rendered by an ExternalSecret instead.
 * @param namespace `openshift-pipelines` for PaC, the gateway's namespace for SprayProxy.
 */
export function buildPacWebhookSecret(namespace: string, webhookSecret: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: "pipelines-as-code-secret", namespace, labels: labels() },
        stringData: { "webhook.secret": webhookSecret },
    };
}

/** The annotation that makes the kubernetes provider apply with `force` (take fields back from other managers). */
export const PATCH_FORCE = { "pulumi.com/patchForce": "true" } as const;

/**
 * Stack transformation: every Kubernetes object this program manages is applied with server-side apply `force`.
 * Pulumi is the source of truth for the fields it sets, so a field someone changed with kubectl (another field
 * manager) is taken back on the next `up` (drift repair, like Argo CD's selfHeal), and objects left by an
 * interrupted run are adopted instead of conflicting with the dead run's field manager. Fields Pulumi does not
 * set are left to their owners. (pulumi-kubernetes 4.25 honours `pulumi.com/patchForce`; its provider option
 * `enablePatchForce` is not read by that release.)
 */
export function patchForceTransformation(
    args: pulumi.ResourceTransformationArgs,
): pulumi.ResourceTransformationResult | undefined {
    if (!args.type.startsWith("kubernetes:") || args.type.startsWith("pulumi:providers:")) return undefined;
    const md = args.props.metadata as Record<string, unknown> | undefined;
    if (md === undefined || typeof md !== "object" || pulumi.Output.isInstance(md) || md instanceof Promise)
        return undefined;
    const ann = md.annotations;
    const plain =
        ann !== null && typeof ann === "object" && !pulumi.Output.isInstance(ann) && !(ann instanceof Promise);
    const annotations =
        ann === undefined
            ? { ...PATCH_FORCE }
            : plain
              ? { ...(ann as Record<string, string>), ...PATCH_FORCE }
              : pulumi.output(ann as pulumi.Input<Record<string, string>>).apply((a) => ({ ...a, ...PATCH_FORCE }));
    return { props: { ...args.props, metadata: { ...md, annotations } }, opts: args.opts };
}
