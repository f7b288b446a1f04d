/** lib/protection.ts: which objects are protected or retained, and when the transformation applies. */
import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import type * as pulumi from "@pulumi/pulumi";
import { holds } from "./helpers/property.js";
import {
    CHAINS_SIGNING_EXTERNAL_SECRET,
    keptOnRemoval,
    PROTECTED_ENVIRONMENTS,
    protectionFor,
    protectionTransformation,
} from "../../lib/protection.js";

const NS = "kubernetes:core/v1:Namespace";
const TC = "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig";
const SUB = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const CS = "kubernetes:operators.coreos.com/v1alpha1:CatalogSource";
const ST = "kubernetes:workload.kcp.io/v1alpha1:SyncTarget";
const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";

test("protectionFor: the objects whose loss hurts are protected; those an operator owns past us are retained", (t) => {
    t.deepEqual(protectionFor(NS, "openshift-pipelines"), { protect: true, retainOnDelete: true });
    t.deepEqual(protectionFor(NS, "sprayproxy"), { protect: true, retainOnDelete: false });
    t.deepEqual(protectionFor(TC, "config"), { protect: true, retainOnDelete: false });
    t.deepEqual(protectionFor(SUB, "openshift-pipelines-operator"), { protect: true, retainOnDelete: true });
    t.deepEqual(protectionFor(CS, "custom-operators"), { protect: true, retainOnDelete: true });
    t.deepEqual(protectionFor(ST, "compute-1"), { protect: true, retainOnDelete: false });
    t.deepEqual(protectionFor(ES, CHAINS_SIGNING_EXTERNAL_SECRET), { protect: true, retainOnDelete: true });
    t.deepEqual(protectionFor(ES, "pipelines-as-code-secret"), { protect: false, retainOnDelete: false });
    t.deepEqual(protectionFor("kubernetes:apps/v1:Deployment", "x"), { protect: false, retainOnDelete: false });
    t.deepEqual(protectionFor("pipeline-service:cluster:ComputeCluster", "x"), {
        protect: false,
        retainOnDelete: false,
    });
});

function apply(tf: pulumi.ResourceTransformation, type: string, name: string, opts: pulumi.CustomResourceOptions = {}) {
    return tf({ type, name: `r-${name}`, props: { metadata: { name } }, opts, resource: undefined as never });
}

test("the transformation acts only in staging and prod, and not on a decommissioned cluster", (t) => {
    for (const environment of ["local", "dev", "staging", "prod"]) {
        const out = apply(protectionTransformation({ environment }), TC, "config");
        if (PROTECTED_ENVIRONMENTS.has(environment))
            t.deepEqual(out?.opts, { protect: true, retainOnDelete: false }, environment);
        else t.is(out, undefined, environment);
    }
    t.is(apply(protectionTransformation({ environment: "prod", decommission: true }), TC, "config"), undefined);
});

test("an explicit protect or retainOnDelete in the options wins", (t) => {
    const out = apply(protectionTransformation({ environment: "prod" }), SUB, "s", { protect: false });
    t.deepEqual(out?.opts, { protect: false, retainOnDelete: true });
});

test("property: outside staging and prod nothing is ever protected", (t) => {
    holds(
        t,
        fc.property(
            fc.constantFrom("local", "dev"),
            fc.constantFrom(NS, TC, SUB, CS, ST, ES),
            fc.string(),
            (environment, type, name) => {
                assert.equal(apply(protectionTransformation({ environment }), type, name), undefined);
            },
        ),
    );
});

test("a cluster that is draining or removed keeps openshift-pipelines and the signing ExternalSecret, in every environment", (t) => {
    for (const environment of ["local", "dev", "staging", "prod"]) {
        for (const state of ["draining", "removed"] as const) {
            for (const decommission of [false, true]) {
                const tf = protectionTransformation({ environment, state, decommission });
                const protectedHere = PROTECTED_ENVIRONMENTS.has(environment) && !decommission;
                t.like(
                    apply(tf, NS, "openshift-pipelines")?.opts,
                    { retainOnDelete: true, protect: protectedHere },
                    `${environment} ${state} ${decommission}`,
                );
                t.like(
                    apply(tf, ES, CHAINS_SIGNING_EXTERNAL_SECRET)?.opts,
                    { retainOnDelete: true },
                    `${environment} ${state}`,
                );
                // what the removal deletes is not retained once the protections are lifted (OLM objects included)
                const sub = apply(tf, SUB, "openshift-pipelines-operator");
                t.is(
                    sub?.opts.retainOnDelete ?? false,
                    protectedHere,
                    `${environment} ${state} ${decommission}: Subscription`,
                );
                t.is(apply(tf, NS, "kcp-syncer-x")?.opts.retainOnDelete ?? false, false);
            }
        }
        t.is(
            apply(protectionTransformation({ environment, state: "active" }), NS, "openshift-pipelines")?.opts
                .retainOnDelete ?? false,
            PROTECTED_ENVIRONMENTS.has(environment),
            `${environment} active`,
        );
    }
    t.true(keptOnRemoval(NS, "openshift-pipelines"));
    t.false(keptOnRemoval(NS, "sprayproxy"));
    t.false(keptOnRemoval("kubernetes:external-secrets.io/v1:ExternalSecret", "pipelines-as-code-secret"));
});
