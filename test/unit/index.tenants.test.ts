/**
 * ADR-0009 tenants through the whole program: the local stack with kcp off. Each tenant is a namespace on the
 * clusters of its pool only (tenant-a on compute-2, tenant-b on compute-1), with the ServiceAccount, bindings, quota
 * and limit range; those clusters get the SCC and the runner and tenant roles; no kcp object is created.
 */
import test from "ava";
import { collected, find, mockableStackValues, providerUrn } from "../helpers/mocks.js";
import { runProgram } from "./helpers/program.js";

const values = mockableStackValues("local");
values.kcp = { enabled: false };
const program = await runProgram("local", values);

const tenantObjects = () =>
    collected.filter(
        (c) => c.type.startsWith("kubernetes:") && c.inputs.metadata?.labels?.["pipeline-service.io/tenant"],
    );
const clusterOf = (urn: string | undefined) => {
    for (const name of ["compute-1", "compute-2"])
        if (providerUrn(urn) === find("pulumi:providers:kubernetes", `${name}-k8s`).urn) return name;
    return "?";
};

test("each tenant's namespace exists on the clusters of its pool and not on the other", (t) => {
    const ns = collected.filter(
        (c) => c.type === "kubernetes:core/v1:Namespace" && c.inputs.metadata?.labels?.["pipeline-service.io/tenant"],
    );
    t.deepEqual(ns.map((c) => `${clusterOf(c.provider)}/${c.inputs.metadata.name}`).sort(), [
        "compute-1/tenant-b",
        "compute-2/tenant-a",
    ]);
    t.deepEqual((program.exports as any).tenantsDeployed, {
        "tenant-a": { pool: "isolated", mode: "namespace", placement: ["compute-2/tenant-a"] },
        "tenant-b": { pool: "general", mode: "namespace", placement: ["compute-1/tenant-b"] },
    });
});

test("every tenant object is in its namespace on its pool's cluster; the kinds are those of ADR-0009", (t) => {
    const where = { "tenant-a": "compute-2", "tenant-b": "compute-1" } as Record<string, string>;
    for (const c of tenantObjects()) {
        const tenant = c.inputs.metadata.labels["pipeline-service.io/tenant"];
        t.is(clusterOf(c.provider), where[tenant], c.name);
        if (c.type !== "kubernetes:core/v1:Namespace") t.is(c.inputs.metadata.namespace, tenant, c.name);
    }
    const kinds = (tenant: string) =>
        tenantObjects()
            .filter((c) => c.inputs.metadata.labels["pipeline-service.io/tenant"] === tenant)
            .map((c) => c.type.split(":").pop())
            .sort();
    t.deepEqual(kinds("tenant-a"), [
        "LimitRange",
        "Namespace",
        "ResourceQuota",
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "ServiceAccount",
    ]);
    t.deepEqual(kinds("tenant-b"), [
        "LimitRange",
        "Namespace",
        "ResourceQuota",
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "RoleBinding",
        "ServiceAccount",
    ]);
});

test("the clusters serving tenants get the SCC, its use role, the runner and tenant roles; no kcp object exists", (t) => {
    for (const c of ["compute-1", "compute-2"]) {
        t.is(
            find("kubernetes:security.openshift.io/v1:SecurityContextConstraints", `${c}-access-scc`).inputs.metadata
                .name,
            "appstudio-pipelines-scc",
        );
        t.truthy(find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", `${c}-access-runner`));
        t.truthy(find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", `${c}-access-tenant-edit`));
    }
    t.is(collected.filter((c) => /kcp\.io/.test(c.type)).length, 0);
});
