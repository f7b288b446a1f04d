/**
 * Every rule of the pack, one per file (`rules/<name>.ts`, default export, file name = policy name).
 * test/policy/meta.test.ts checks that each file under rules/ is listed here exactly once.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import argocdApplicationSource from "./argocd-application-source.js";
import argocdApplicationSyncPolicy from "./argocd-application-sync-policy.js";
import argocdManagedNamespaces from "./argocd-managed-namespaces.js";
import catalogSourceGrpcDigestPinned from "./catalog-source-grpc-digest-pinned.js";
import chainsArtifactSettings from "./chains-artifact-settings.js";
import chainsSigningSecretOrphan from "./chains-signing-secret-orphan.js";
import computeClusterComplete from "./compute-cluster-complete.js";
import externalSecretStoreNamespaces from "./external-secret-store-namespaces.js";
import gatewayRouteReencryptRbacProxy from "./gateway-route-reencrypt-rbac-proxy.js";
import gatewaySingleMember from "./gateway-single-member.js";
import kcpPhase1PipelinerunServiceAccount from "./kcp-phase1-pipelinerun-service-account.js";
import kcpPhase1PipelinerunsKept from "./kcp-phase1-pipelineruns-kept.js";
import kcpSyncerNoTaskruns from "./kcp-syncer-no-taskruns.js";
import kubernetesExplicitProvider from "./kubernetes-explicit-provider.js";
import noLiteralSecrets from "./no-literal-secrets.js";
import operatorCrsSkipDryRun from "./operator-crs-skip-dry-run.js";
import ospSubscriptionPinnedCatalog from "./osp-subscription-pinned-catalog.js";
import pacConsoleUrlsOnHac from "./pac-console-urls-on-hac.js";
import pacEnabledViaOperator from "./pac-enabled-via-operator.js";
import pacSecretRefreshInterval from "./pac-secret-refresh-interval.js";
import pacSettingsMatchGithubApp from "./pac-settings-match-github-app.js";
import prometheusRuleRunbookUrl from "./prometheus-rule-runbook-url.js";
import rbacNoEscalateBindImpersonate from "./rbac-no-escalate-bind-impersonate.js";
import sccNonPrivileged from "./scc-non-privileged.js";
import sharedSecretStoreNotNarrowed from "./shared-secret-store-not-narrowed.js";
import syncTargetNameLength from "./sync-target-name-length.js";
import tektonConfigNamedConfig from "./tekton-config-named-config.js";
import tektonConfigOnePerCluster from "./tekton-config-one-per-cluster.js";
import tektonConfigRbacDefaults from "./tekton-config-rbac-defaults.js";
import tektonOperatorPruner from "./tekton-operator-pruner.js";
import tektonPerformanceFloor from "./tekton-performance-floor.js";
import tektonResolversEnabled from "./tekton-resolvers-enabled.js";
import tektonResultsSettings from "./tekton-results-settings.js";
import tektonTriggersDisabled from "./tekton-triggers-disabled.js";
import tenantRbacNoClusterAdminOrWildcards from "./tenant-rbac-no-cluster-admin-or-wildcards.js";
import tenantSecretsInNamespace from "./tenant-secrets-in-namespace.js";
import workloadImagePinned from "./workload-image-pinned.js";
import workloadNoHostNamespaces from "./workload-no-host-namespaces.js";
import workloadResourceLimits from "./workload-resource-limits.js";
import workloadSecurityContext from "./workload-security-context.js";

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    argocdApplicationSource,
    argocdApplicationSyncPolicy,
    argocdManagedNamespaces,
    catalogSourceGrpcDigestPinned,
    chainsArtifactSettings,
    chainsSigningSecretOrphan,
    computeClusterComplete,
    externalSecretStoreNamespaces,
    gatewayRouteReencryptRbacProxy,
    gatewaySingleMember,
    kcpPhase1PipelinerunServiceAccount,
    kcpPhase1PipelinerunsKept,
    kcpSyncerNoTaskruns,
    kubernetesExplicitProvider,
    noLiteralSecrets,
    operatorCrsSkipDryRun,
    ospSubscriptionPinnedCatalog,
    pacConsoleUrlsOnHac,
    pacEnabledViaOperator,
    pacSecretRefreshInterval,
    pacSettingsMatchGithubApp,
    prometheusRuleRunbookUrl,
    rbacNoEscalateBindImpersonate,
    sccNonPrivileged,
    sharedSecretStoreNotNarrowed,
    syncTargetNameLength,
    tektonConfigNamedConfig,
    tektonConfigOnePerCluster,
    tektonConfigRbacDefaults,
    tektonOperatorPruner,
    tektonPerformanceFloor,
    tektonResolversEnabled,
    tektonResultsSettings,
    tektonTriggersDisabled,
    tenantRbacNoClusterAdminOrWildcards,
    tenantSecretsInNamespace,
    workloadImagePinned,
    workloadNoHostNamespaces,
    workloadResourceLimits,
    workloadSecurityContext,
];

export default policies;
