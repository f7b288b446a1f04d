/**
 * Reading RBAC objects for the least-privilege rules: roles and their rules, bindings and what they reference, and
 * whether a binding of a tenant is confined to that tenant (its namespace on a compute cluster, or its own kcp
 * workspace). Tenant objects carry the label `pipeline-service.io/tenant` (lib/naming.ts TENANT_LABEL).
 */
import type { PolicyResource } from "@pulumi/policy";
import { TENANT_LABEL } from "../../lib/naming.js";
import { providerUrnOf } from "./clusters.js";
import { arr, at, isKind, rec, str } from "./k8s.js";
import { known } from "./unknown.js";

const RBAC = "rbac.authorization.k8s.io";

export interface RbacRule {
    apiGroups: string[];
    resources: string[];
    resourceNames: string[];
    nonResourceURLs: string[];
    verbs: string[];
}

export function isRole(type: string): boolean {
    return isKind(type, RBAC, "Role") || isKind(type, RBAC, "ClusterRole");
}

export function isBinding(type: string): boolean {
    return isKind(type, RBAC, "RoleBinding") || isKind(type, RBAC, "ClusterRoleBinding");
}

const strings = (v: unknown): string[] =>
    arr(v)
        .map(str)
        .filter((s): s is string => s !== undefined);

/** A role's rules as plain string lists. */
export function rulesOf(props: Record<string, unknown>): RbacRule[] {
    return arr(props.rules)
        .map(rec)
        .filter((r): r is Record<string, unknown> => r !== undefined)
        .map((r) => ({
            apiGroups: strings(r.apiGroups),
            resources: strings(r.resources),
            resourceNames: strings(r.resourceNames),
            nonResourceURLs: strings(r.nonResourceURLs),
            verbs: strings(r.verbs),
        }));
}

/** Whether a rule can touch Secrets (core group or `*`, resource `secrets` or `*`). */
export function touchesSecrets(r: RbacRule): boolean {
    return (
        (r.apiGroups.includes("") || r.apiGroups.includes("*")) &&
        (r.resources.includes("secrets") || r.resources.includes("*"))
    );
}

/** The tenant a resource belongs to (its `pipeline-service.io/tenant` label), if any. */
export function tenantOf(props: Record<string, unknown>): string | undefined {
    return str(rec(at(props, "metadata", "labels"))?.[TENANT_LABEL]);
}

export interface RoleRef {
    kind: string;
    name: string;
}

export function roleRefOf(props: Record<string, unknown>): RoleRef | undefined {
    const r = rec(props.roleRef);
    const kind = str(r?.kind);
    const name = str(r?.name);
    return kind && name ? { kind, name } : undefined;
}

/** The role a binding references, declared by the stack through the same provider (a Role in the same namespace). */
export function referencedRole(binding: PolicyResource, all: PolicyResource[]): PolicyResource | undefined {
    const ref = roleRefOf(binding.props);
    if (!ref) return undefined;
    const provider = providerUrnOf(binding);
    const ns = str(at(binding.props, "metadata", "namespace"));
    return all.find(
        (r) =>
            isKind(r.type, RBAC, ref.kind) &&
            providerUrnOf(r) === provider &&
            known(() => str(at(r.props, "metadata", "name")), undefined) === ref.name &&
            (ref.kind === "ClusterRole" || known(() => str(at(r.props, "metadata", "namespace")), undefined) === ns),
    );
}

/**
 * Whether a resource is managed through a tenant's own kcp workspace: its provider is the one a
 * `pipeline-service:tenant:Tenant` component creates for its workspace (components/tenants.ts), whose
 * `clusterIdentifier` ends with `-<tenant>`. kcp confines RBAC there to that workspace.
 */
export function inTenantWorkspace(r: PolicyResource, tenant: string): boolean {
    const urn = providerUrnOf(r) ?? "";
    if (!/pipeline-service:tenant:Tenant\$pulumi:providers:kubernetes::/.test(urn)) return false;
    const id = known(() => str(r.provider?.props?.clusterIdentifier), undefined);
    return id !== undefined && id.endsWith(`-${tenant}`);
}

/** Binding subjects as `Kind:name`. */
export function subjectsOf(props: Record<string, unknown>): { kind: string; name: string }[] {
    return arr(props.subjects)
        .map(rec)
        .filter((s): s is Record<string, unknown> => s !== undefined)
        .map((s) => ({ kind: str(s.kind) ?? "", name: str(s.name) ?? "" }));
}
