/**
 * kubernetes Provider arguments, shared by the compute clusters and the kcp workspace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as path from "node:path";
import { kubeconfigSecret, KubeconfigRef } from "./config.js";

/**
 * kubernetes Provider arguments for a cluster or workspace.
 * - `path`/`context`: the provider reads the kubeconfig file itself; the path, not its contents, is in state.
 * - `secretConfigKey`: the kubeconfig comes from secret stack config and stays a secret in state.
 * - `renderDirectory`: render manifests to `<dir>/<clusterIdentifier>` instead of applying them (policy audits
 *   without cluster access); no credential is read then.
 *
 * Server-side apply is on; `clusterIdentifier` keeps resources from being replaced when credentials or the API
 * server's port change (pulumi-kubernetes 4.25 `clusterIdentifier`).
 */
export function providerArgs(
    clusterIdentifier: string,
    ref: KubeconfigRef,
    renderDirectory?: string,
): k8s.ProviderArgs {
    const args: k8s.ProviderArgs = {
        clusterIdentifier,
        enableServerSideApply: true,
        suppressDeprecationWarnings: true,
    };
    if (renderDirectory) {
        // Render mode never talks to a cluster; the provider refuses credentials alongside it.
        args.renderYamlToDirectory = path.join(renderDirectory, clusterIdentifier);
        return args;
    }
    if (ref.secretConfigKey) args.kubeconfig = kubeconfigSecret(ref.secretConfigKey);
    else if (ref.path) args.kubeconfig = ref.path;
    if (ref.context) args.context = ref.context;
    return args;
}
