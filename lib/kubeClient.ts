/**
 * `@kubernetes/client-node`, loaded on first use.
 *
 * Why: importing it loads its whole generated API (dist/config.js alone pulls in dist/gen/index.js): about 0.7 s
 * under Node 22 + tsx on this project's 2-core reference machine (bench/README.md), paid before the first resource
 * is registered if a module of the program imports it eagerly. The program only needs it to talk to clusters
 * (identity fencing, drain checks, tenant offboarding, OLM cleanup, workspace pruning), which never happens under
 * mocks, in render mode or in `pulumi preview` of a stack with fencing off. So the program's modules import its
 * types only (`import type`), and its values through {@link kubeClient}; test/unit/architecture.test.ts keeps it so.
 */
import type * as k8s from "@kubernetes/client-node";

let loading: Promise<typeof k8s> | undefined;

/**
 * The `@kubernetes/client-node` module (v2, ESM), imported once per process on the first call; later calls return
 * the same promise. Rejects only if the package cannot be loaded (not installed: run `npm ci`).
 */
export function kubeClient(): Promise<typeof k8s> {
    loading ??= import("@kubernetes/client-node");
    return loading;
}
