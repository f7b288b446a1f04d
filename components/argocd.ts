/**
 * Argo CD (OpenShift GitOps) on one compute cluster: the operator Subscription, the Pipeline Service namespaces
 * labelled for Argo CD, the root Application, and the ClusterRoles the Argo CD application controller needs.
 *
 * Type token: `pipeline-service:argocd:ArgoCd`.
 * Source: openshift-pipelines/pipeline-service@5b34974a
 *   - `developer/openshift/operators/openshift-gitops/openshift-gitops.yaml` (Subscription)
 *   - `operator/gitops/argocd/pipeline-service.yaml` (root Application)
 *   - `operator/gitops/argocd/pipeline-service/openshift-pipelines/allow-argocd-to-manage*.yaml`,
 *     `bugfix-pac-gitauth-secrets.yaml` (ClusterRoles)
 * Phase 1 runs one Argo CD per compute cluster, managing it through https://kubernetes.default.svc (constraint 17).
 *
 * One owner per object (upstream-conformance §1.5): the root Application tracks only what config says
 * (`gitops.repoUrl`, `.revision`, `.path`; no default). In `direct` delivery mode that is the GitOps repository's
 * other content; in `gitops` mode it is `<gitops.path>/<cluster>`, the tree Pulumi renders the platform into
 * ({@link platformPath}), laid out as infra-deployments' `components/pipeline-service/<env>/<cluster>`
 * (`argo-cd-apps/base/member/infra-deployments/pipeline-service/pipeline-service.yaml@e952b760`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../lib/config.js";
import {
    ARGOCD_NAMESPACE,
    buildManagedNamespace,
    customResource,
    CustomResourceSpec,
    labels,
    Readiness,
} from "../lib/k8s.js";
import { platformPath } from "../lib/naming.js";
import { OperatorSubscription, type OperatorSubscriptionArgs } from "./operatorSubscription.js";

/** The service account of the default OpenShift GitOps application controller. */
export const ARGOCD_CONTROLLER_SA = "openshift-gitops-argocd-application-controller";

/** Delivery mode (lib/config.ts `delivery.mode`) and the cluster the Application runs on. */
export interface ApplicationDelivery {
    mode: "direct" | "gitops";
    cluster: string;
}

/** The OpenShift GitOps operator's Subscription. Source: openshift-gitops.yaml @5b34974a (channel latest, Automatic, redhat-operators). */
export const GITOPS_SUBSCRIPTION: Omit<OperatorSubscriptionArgs, "provider" | "readiness"> = {
    name: "openshift-gitops-operator",
    namespace: "openshift-operators",
    package: "openshift-gitops-operator",
    channel: "latest",
    source: "redhat-operators",
    sourceNamespace: "openshift-marketplace",
    installPlanApproval: "Automatic",
};

export interface ArgoCdArgs {
    provider: k8s.Provider;
    /** `gitops` settings of the cluster (repo URL, revision, path). */
    gitops: Settings["gitops"];
    /** Delivery mode; default `direct` on this cluster. */
    delivery?: ApplicationDelivery;
    /** Namespaces Pipeline Service owns; each gets `argocd.argoproj.io/managed-by: openshift-gitops`. */
    managedNamespaces: string[];
    readiness: Readiness;
}

/**
 * The root Application: automated prune and selfHeal, `CreateNamespace=true`, retry forever with backoff
 * 10s ×2 up to 3m (constraint 18). In `gitops` mode its source is the cluster's rendered platform
 * ({@link platformPath}), read recursively: the render lays objects out in `0-crd/` and `1-manifest/`
 * (pulumi-kubernetes@v4.25.0 `provider/pkg/provider/provider.go` renderPathForResource).
 */
export function buildRootApplication(gitops: Settings["gitops"], delivery?: ApplicationDelivery): CustomResourceSpec {
    const source: Record<string, unknown> =
        delivery?.mode === "gitops"
            ? {
                  repoURL: gitops.repoUrl,
                  targetRevision: gitops.revision,
                  path: platformPath(gitops.path, delivery.cluster),
                  directory: { recurse: true },
              }
            : { repoURL: gitops.repoUrl, targetRevision: gitops.revision, path: gitops.path };
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: "pipeline-service",
            namespace: ARGOCD_NAMESPACE,
            labels: labels(),
            annotations: { "argocd.argoproj.io/sync-wave": "0" },
        },
        spec: {
            project: "default",
            source,
            destination: { server: "https://kubernetes.default.svc", namespace: ARGOCD_NAMESPACE },
            syncPolicy: {
                automated: { prune: true, selfHeal: true },
                syncOptions: ["CreateNamespace=true"],
                retry: { limit: -1, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
            },
        },
    };
}

/** A ClusterRole the Argo CD controller needs, with its rules. */
export interface ControllerRole {
    name: string;
    rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
}

/** The ClusterRoles upstream granted the Argo CD application controller (constraint 23). */
export const CONTROLLER_ROLES: ControllerRole[] = [
    {
        name: "openshift-gitops-apply-tekton-config-parameters",
        rules: [
            {
                apiGroups: ["monitoring.coreos.com"],
                resources: ["servicemonitors"],
                verbs: ["get", "list", "patch", "create", "delete"],
            },
            {
                apiGroups: ["operator.tekton.dev"],
                resources: ["tektonconfigs"],
                verbs: ["get", "list", "patch", "create", "delete"],
            },
            {
                apiGroups: ["security.openshift.io"],
                resources: ["securitycontextconstraints"],
                verbs: ["get", "list", "patch", "create", "delete"],
            },
        ],
    },
    {
        name: "openshift-gitops-jobs-admin",
        rules: [
            {
                apiGroups: ["batch"],
                resources: ["jobs"],
                verbs: ["get", "list", "watch", "patch", "create", "update", "delete"],
            },
        ],
    },
    {
        name: "openshift-gitops-cronjobs-admin",
        rules: [
            {
                apiGroups: ["batch"],
                resources: ["cronjobs"],
                verbs: ["get", "list", "watch", "patch", "create", "update", "delete"],
            },
            {
                apiGroups: [""],
                resources: ["serviceaccounts"],
                verbs: ["get", "list", "patch", "create", "update", "delete"],
                resourceNames: ["pac-secret-manager"],
            },
        ],
    },
];

/** The ClusterRole of one of {@link CONTROLLER_ROLES} (constraint 23). */
export function buildControllerClusterRole(role: ControllerRole): k8s.rbac.v1.ClusterRoleArgs {
    return { metadata: { name: role.name, labels: labels() }, rules: role.rules };
}

/** Binds the ClusterRole of `role` to the Argo CD application controller's ServiceAccount in `openshift-gitops`. */
export function buildControllerClusterRoleBinding(role: ControllerRole): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        metadata: { name: role.name, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.name },
        subjects: [{ kind: "ServiceAccount", name: ARGOCD_CONTROLLER_SA, namespace: ARGOCD_NAMESPACE }],
    };
}

export class ArgoCd extends pulumi.ComponentResource {
    public readonly operator: OperatorSubscription;
    public readonly namespaces: k8s.core.v1.Namespace[];
    public readonly application: k8s.apiextensions.CustomResource;
    /** `metadata.name` of the root Application. */
    public readonly applicationName: pulumi.Output<string>;
    public readonly clusterRoles: k8s.rbac.v1.ClusterRole[];

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:argocd:ArgoCd", name, {}, opts);
        const provider = args.provider;
        const child = { parent: this, provider };

        this.operator = new OperatorSubscription(
            `${name}-gitops-operator`,
            { provider, ...GITOPS_SUBSCRIPTION, readiness: args.readiness },
            { parent: this },
        );

        this.namespaces = args.managedNamespaces.map(
            (ns) => new k8s.core.v1.Namespace(`${name}-ns-${ns}`, buildManagedNamespace(ns), child),
        );

        this.clusterRoles = CONTROLLER_ROLES.map((role) => {
            const cr = new k8s.rbac.v1.ClusterRole(`${name}-${role.name}`, buildControllerClusterRole(role), child);
            new k8s.rbac.v1.ClusterRoleBinding(`${name}-${role.name}`, buildControllerClusterRoleBinding(role), {
                ...child,
                dependsOn: [cr],
            });
            return cr;
        });

        // The Application needs the Application CRD, which the GitOps operator installs.
        this.application = customResource(
            `${name}-root-application`,
            buildRootApplication(args.gitops, args.delivery),
            { ...child, dependsOn: [this.operator] },
        );
        this.applicationName = this.application.metadata.name;

        this.registerOutputs({
            operator: this.operator,
            namespaces: this.namespaces,
            application: this.application,
            applicationName: this.applicationName,
            clusterRoles: this.clusterRoles,
        });
    }
}
