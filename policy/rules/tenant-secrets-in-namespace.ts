import type { StackValidationPolicy } from "@pulumi/policy";
import { at, describe, str } from "../lib/k8s.js";
import {
    inTenantWorkspace,
    isBinding,
    isRole,
    referencedRole,
    rulesOf,
    subjectsOf,
    tenantOf,
    touchesSecrets,
} from "../lib/rbac.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

const EVERYONE = ["system:authenticated", "system:unauthenticated"];

/**
 * Secrets stay with their tenant: a tenant binding whose role reaches Secrets is a RoleBinding in the tenant's own
 * namespace (ADR-0009) or lives inside the tenant's own kcp workspace (Phase 1), never a ClusterRoleBinding on a
 * compute cluster nor a RoleBinding in another namespace. A binding for every user may reach only named Secrets
 * (the Chains `public-key`).
 */
const policy: StackValidationPolicy = {
    name: "tenant-secrets-in-namespace",
    description:
        "A tenant's binding (label pipeline-service.io/tenant) to a role that reaches Secrets must be a RoleBinding in the " +
        "tenant's own namespace, or inside the tenant's own kcp workspace; and a binding for system:authenticated or " +
        "system:unauthenticated may reach Secrets only by resourceNames, as the Chains public-key viewer does. Source: " +
        "pipeline-service chains-public-key-viewer.yaml (inventory constraint 28), upstream-conformance.md §4 item 7.",
    validateStack: (args, report) => {
        for (const b of args.resources) {
            if (!isBinding(b.type)) continue;
            const role = known(() => referencedRole(b, args.resources), undefined);
            if (!role || !isRole(role.type)) continue;
            const secretRules = known(() => rulesOf(role.props), []).filter(touchesSecrets);
            if (!secretRules.length) continue;
            const what = describe(b.type, b.props, b.name);
            const roleName = known(() => str(at(role.props, "metadata", "name")), undefined) ?? role.name;
            const everyone = known(() => subjectsOf(b.props), [])
                .filter((s) => s.kind === "Group" && EVERYONE.includes(s.name))
                .map((s) => s.name);
            if (everyone.length && secretRules.some((r) => r.resourceNames.length === 0)) {
                report(
                    violation(
                        `${what} gives ${everyone.join(", ")} role '${roleName}', which reads every Secret it reaches, not named ones`,
                        `Set resourceNames on the Secrets rule of '${roleName}' (for example [public-key]), or bind it to named groups`,
                    ),
                    b.urn,
                );
            }
            const tenant = known(() => tenantOf(b.props), undefined);
            if (!tenant || inTenantWorkspace(b, tenant)) continue;
            const clusterWide = b.type.endsWith(":ClusterRoleBinding");
            const ns = known(() => str(at(b.props, "metadata", "namespace")), undefined);
            if (clusterWide) {
                report(
                    violation(
                        `${what} gives tenant '${tenant}' role '${roleName}' on the whole cluster, and that role reaches Secrets, ` +
                            "so the tenant could read every namespace's credentials",
                        `Use a RoleBinding in the tenant namespace '${tenant}' instead`,
                    ),
                    b.urn,
                );
            } else if (ns !== tenant) {
                report(
                    violation(
                        `${what} gives tenant '${tenant}' role '${roleName}' in namespace '${ns ?? "(none)"}', and that role reaches ` +
                            "Secrets outside the tenant's namespace",
                        `Move the RoleBinding to the tenant namespace '${tenant}'`,
                    ),
                    b.urn,
                );
            }
        }
    },
};

export default policy;
