/**
 * An OLM Subscription, waited on until OLM reports `AtLatestKnown`.
 *
 * Type token: `pipeline-service:olm:OperatorSubscription`.
 * Used for the OpenShift GitOps operator (ArgoCd) and the OpenShift Pipelines operator (OpenShiftPipelines).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, Readiness } from "../lib/k8s.js";

export interface OperatorSubscriptionArgs {
    /** The compute cluster's provider; every child uses it. */
    provider: k8s.Provider;
    /** Subscription name (`metadata.name`). */
    name: string;
    /** Namespace of the Subscription; `openshift-operators` for all-namespaces operators. */
    namespace: string;
    /** OLM package (`spec.name`). */
    package: string;
    /** OLM channel (`spec.channel`). */
    channel: string;
    /** CatalogSource name (`spec.source`). An Output makes the Subscription depend on the catalog. */
    source: pulumi.Input<string>;
    /** CatalogSource namespace (`spec.sourceNamespace`). */
    sourceNamespace: string;
    /** `Automatic` or `Manual` (`spec.installPlanApproval`). */
    installPlanApproval: "Automatic" | "Manual";
    /** Optional pinned CSV (`spec.startingCSV`). */
    startingCSV?: string;
    /** Operator environment (`spec.config.env`). */
    env?: { name: string; value: string }[];
    readiness: Readiness;
    /** Conditions waited for besides `AtLatestKnown`, e.g. `jsonpath={.status.installedCSV}=<csv>`. */
    waitFor?: string[];
    /** Extra annotations (a change re-runs the wait on the next update). */
    annotations?: Record<string, string>;
}

/** The Subscription, as a pure description. */
export function buildSubscription(args: Omit<OperatorSubscriptionArgs, "provider">): CustomResourceSpec {
    const spec: Record<string, unknown> = {
        name: args.package,
        channel: args.channel,
        source: args.source,
        sourceNamespace: args.sourceNamespace,
        installPlanApproval: args.installPlanApproval,
    };
    if (args.startingCSV) spec.startingCSV = args.startingCSV;
    if (args.env?.length) spec.config = { env: args.env };
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "Subscription",
        metadata: {
            name: args.name,
            namespace: args.namespace,
            labels: labels(),
            annotations: {
                ...args.annotations,
                ...awaitAnnotations(args.readiness, [
                    "jsonpath={.status.state}=AtLatestKnown",
                    ...(args.waitFor ?? []),
                ]),
            },
        },
        spec,
    };
}

export class OperatorSubscription extends pulumi.ComponentResource {
    /** The Subscription. */
    public readonly subscription: k8s.apiextensions.CustomResource;
    /** `metadata.name` of the Subscription. */
    public readonly subscriptionName: pulumi.Output<string>;

    constructor(name: string, args: OperatorSubscriptionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:olm:OperatorSubscription", name, {}, opts);
        const { provider, ...rest } = args;
        this.subscription = customResource(`${name}-subscription`, buildSubscription(rest), { parent: this, provider });
        this.subscriptionName = this.subscription.metadata.name;
        this.registerOutputs({ subscription: this.subscription, subscriptionName: this.subscriptionName });
    }
}
