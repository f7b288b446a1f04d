/**
 * npm run decommission -- --stack <stack> --cluster <name> [--yes]: after a cluster's removal (README "Draining and
 * removing a compute cluster", step 3), removes what OLM left of the OpenShift Pipelines operator there: its
 * ClusterServiceVersion and InstallPlans (lib/olmCleanup.ts). Without `--yes` it only lists them.
 *
 * Refuses, deleting nothing, unless the cluster's entry says `state: removed` and the stack's own outputs record it
 * removed (`clusters.<name>.state`, read through the project's CLI), and while a Subscription of the package still
 * exists there. `openshift-pipelines` and the signing Secret are not touched. Exit codes: 0 done, 1 refused or
 * failed, 2 usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../lib/fencing.js";
import { cleanUpOlm } from "../lib/olmCleanup.js";
import { selectStack } from "./lib/automation.js";
import { parseCli } from "./cli.js";
import { validateStackFile } from "./validate-config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run decommission -- --stack <stack> --cluster <name> [--yes]

After clusters[].state: removed and its up, deletes the OpenShift Pipelines operator's ClusterServiceVersion and
InstallPlans that OLM leaves on the cluster (it does not delete them with the Subscription). Lists them only, unless
--yes. Refused unless the stack records the cluster removed and no Subscription of the package is left.

  -s, --stack <name>    the stack (Pulumi.<name>.yaml)
  -c, --cluster <name>  the removed cluster (still in clusters[] with state: removed)
  -y, --yes             delete (default: list what would be deleted)
  -C, --cwd <dir>       the project directory (default: the repository root)
  -h, --help            this text`;

async function main(): Promise<number> {
    const { values } = parseCli({
        usage: USAGE,
        options: {
            stack: { type: "string", short: "s" },
            cluster: { type: "string", short: "c" },
            yes: { type: "boolean", short: "y" },
            cwd: { type: "string", short: "C" },
        },
    });
    if (!values.stack || !values.cluster) {
        process.stderr.write(`error: --stack and --cluster are required\n\n${USAGE}\n`);
        return 2;
    }
    const projectDir = values.cwd ?? ROOT;
    const file = path.join(projectDir, `Pulumi.${values.stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
    const cfg = validateStackFile(file, values.stack);
    const c = cfg.clusters.find((x) => x.name === values.cluster);
    if (!c)
        throw new Error(
            `cluster ${values.cluster} is not in clusters[] of ${file} (its kubeconfig is needed: keep the entry, with state: removed, until this is done)`,
        );
    if (c.state !== "removed")
        throw new Error(
            `cluster ${c.name} is '${c.state}', not removed: drain it and remove it first (clusters[].state: draining, up; state: removed, up)`,
        );
    const outputs = await (await selectStack(values.stack, projectDir)).outputs();
    const recorded = (outputs.clusters?.value as Record<string, { state?: string }> | undefined)?.[c.name]?.state;
    if (recorded !== "removed")
        throw new Error(
            `stack ${values.stack} records cluster ${c.name} as '${recorded ?? "not deployed"}', not removed: run the up that removes it first`,
        );
    const kc = await loadTarget(c, {
        projectDir,
        env: process.env,
        timeoutMs: 15_000,
        expected: {},
        accept: new Set(),
    });
    if (typeof kc === "string") throw new Error(kc);
    const sub = c.settings.osp.subscription;
    const found = await cleanUpOlm(kc, c.name, sub.package, sub.namespace, { dryRun: !values.yes });
    const verb = values.yes ? "deleted" : "would delete";
    for (const n of found.csvs)
        process.stdout.write(`${c.name}: ${verb} clusterserviceversion ${sub.namespace}/${n}\n`);
    for (const n of found.installPlans) process.stdout.write(`${c.name}: ${verb} installplan ${sub.namespace}/${n}\n`);
    for (const n of found.keptInstallPlans)
        process.stdout.write(`${c.name}: kept installplan ${sub.namespace}/${n} (it also installed another package)\n`);
    process.stdout.write(
        `decommission: ${c.name}: ${found.csvs.length} CSV(s) and ${found.installPlans.length} InstallPlan(s) of ${sub.package} ${verb}` +
            `${values.yes ? "" : " (run again with --yes to delete)"}\n`,
    );
    return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`error: ${(e as Error).message}\n`);
            process.exit(1);
        },
    );
}
