/**
 * Tenant objects as the real components register them (components/tenants.ts), under the installed prod mocks: the
 * prod stack ships no tenant, so the fixtures of the tenant RBAC rules capture one Phase 1 tenant (its workspace
 * provider created by the Tenant component, as index.ts wires it) and one ADR-0009 tenant on a compute cluster with
 * that cluster's PlatformAccess, both from the local stack's tenant entries. Names cannot clash with the program's.
 */
import * as k8s from "@pulumi/kubernetes";
import { PlatformAccess, ResourcePool, Tenant } from "../../../components/tenants.js";
import { resolveConfig, tenantWorkspace } from "../../../lib/config.js";
import { deserialized, type StackResourceInput } from "./harness.js";
import { captureDuring, type Captured, stackValues } from "./program.js";

const LOCAL = resolveConfig("local", stackValues("local"));
export const TENANT_A = LOCAL.tenants.find((t) => t.name === "tenant-a")!;
export const TENANT_B = LOCAL.tenants.find((t) => t.name === "tenant-b")!;
const COMPUTE = LOCAL.settings.kcp.workspace;

let once: Promise<Captured[]> | undefined;

/** A Phase 1 tenant (tenant-a) and an ADR-0009 tenant (tenant-b on cluster `fixture-1` with its PlatformAccess). */
export function captureTenants(): Promise<Captured[]> {
    once ??= captureDuring(() => {
        const kcp = new k8s.Provider("fixture-kcp", { clusterIdentifier: "kcp" });
        const platform = new k8s.Provider("fixture-kcp-root-pipeline-service", {
            clusterIdentifier: "kcp-root-pipeline-service",
        });
        const pool = new ResourcePool("fixture-pool-isolated", {
            kcpProvider: kcp,
            pool: LOCAL.pools.find((p) => p.name === TENANT_A.pool)!,
        });
        const ws = tenantWorkspace(COMPUTE, TENANT_A.name);
        new Tenant("fixture-tenant-a", {
            tenant: TENANT_A,
            kcp: {
                platformProvider: platform,
                computeWorkspace: COMPUTE,
                workspace: ws,
                location: pool,
                timeoutSeconds: 120,
                providerArgs: () => ({ clusterIdentifier: `kcp-${ws.replace(/:/g, "-")}` }),
            },
        });
        const cluster = new k8s.Provider("fixture-1-k8s", { clusterIdentifier: "fixture-1" });
        const access = new PlatformAccess("fixture-1-access", {
            provider: cluster,
            access: LOCAL.access,
            tenantRuntime: true,
        });
        new Tenant("fixture-tenant-b", {
            tenant: TENANT_B,
            clusters: [{ name: "fixture-1", provider: cluster, dependsOn: [access] }],
        });
    });
    return once;
}

/** The stack with `mutate` applied to a copy of the props of the one resource `pick` selects. */
export function editIn(
    stack: StackResourceInput[],
    pick: (r: StackResourceInput) => boolean,
    mutate: (props: any, r: StackResourceInput) => void,
): StackResourceInput[] {
    const hits = stack.filter(pick);
    if (hits.length !== 1) throw new Error(`expected one resource to edit, found ${hits.length}`);
    return stack.map((r) => {
        if (r !== hits[0]) return r;
        const props = deserialized(r.props);
        const copy = { ...r, props };
        mutate(props, copy);
        return copy;
    });
}

export const named = (type: string, name: string) => (r: StackResourceInput) =>
    r.type.endsWith(`:${type}`) && r.name === name;
