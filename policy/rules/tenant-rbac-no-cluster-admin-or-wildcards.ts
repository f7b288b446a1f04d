import type { StackValidationPolicy } from "@pulumi/policy";
import { urnName } from "../lib/clusters.js";
import { describe, str } from "../lib/k8s.js";
import { isBinding, referencedRole, roleRefOf, rulesOf, tenantOf } from "../lib/rbac.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

/** Roles a tenant must never be bound to: everything on the cluster, or the broad built-in aggregated roles. */
const FORBIDDEN_ROLES = ["cluster-admin", "admin", "edit", "system:masters"];

/**
 * Least privilege for tenants (constraint 7: no broad RBAC in tenant namespaces): a tenant's binding references one
 * of the stack's own roles, declared through the same provider, so its rules can be read; never cluster-admin or a
 * built-in aggregated role, and never a role with a wildcard.
 */
const policy: StackValidationPolicy = {
    name: "tenant-rbac-no-cluster-admin-or-wildcards",
    description:
        "Every RoleBinding or ClusterRoleBinding of a tenant (label pipeline-service.io/tenant) must reference a role the " +
        "stack declares on the same cluster or workspace, never cluster-admin or the built-in admin/edit roles, and that role " +
        "must name its verbs, API groups, resources and URLs without a wildcard. Source: ADR-0025 (the broad operator-created " +
        "pipeline SA was removed for this reason), upstream-conformance.md §4 item 7 (inventory constraint 7).",
    validateStack: (args, report) => {
        for (const b of args.resources) {
            if (!isBinding(b.type)) continue;
            const tenant = known(() => tenantOf(b.props), undefined);
            if (!tenant) continue;
            const ref = known(() => roleRefOf(b.props), undefined);
            if (!ref) continue;
            const what = describe(b.type, b.props, b.name);
            if (FORBIDDEN_ROLES.includes(ref.name)) {
                report(
                    violation(
                        `${what} of tenant '${tenant}' binds ${ref.kind} '${ref.name}', which grants far more than running PipelineRuns`,
                        "Reference one of the tenant roles (pipeline-service-tenant-admin, -edit or -view) instead",
                    ),
                    b.urn,
                );
                continue;
            }
            const role = referencedRole(b, args.resources);
            if (!role) {
                report(
                    violation(
                        `${what} of tenant '${tenant}' references ${ref.kind} '${ref.name}', which this stack does not declare on ` +
                            `the same provider (${urnName(b.provider?.urn ?? "none")}), so nothing shows what it grants`,
                        `Declare ${ref.kind} '${ref.name}' in the stack on that provider, or reference a tenant role the stack declares`,
                    ),
                    b.urn,
                );
                continue;
            }
            const wild = known(() => rulesOf(role.props), []).flatMap((r, i) => [
                ...(r.verbs.includes("*") ? [`rules[${i}].verbs`] : []),
                ...(r.apiGroups.includes("*") ? [`rules[${i}].apiGroups`] : []),
                ...(r.resources.some((x) => x === "*" || x.endsWith("/*")) ? [`rules[${i}].resources`] : []),
                ...(r.nonResourceURLs.some((x) => x.endsWith("*")) ? [`rules[${i}].nonResourceURLs`] : []),
            ]);
            if (wild.length) {
                const roleName =
                    known(() => str((role.props.metadata as Record<string, unknown> | undefined)?.name), undefined) ??
                    ref.name;
                report(
                    violation(
                        `${what} of tenant '${tenant}' binds ${ref.kind} '${roleName}', whose ${wild.join(", ")} hold a wildcard, ` +
                            "so it grants whatever the cluster serves now or later",
                        `Set explicit verbs, API groups and resources in ${ref.kind} '${roleName}'`,
                    ),
                    b.urn,
                );
            }
        }
    },
};

export default policy;
