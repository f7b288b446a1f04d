/** Where things are, for every test suite and the benchmarks. */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The Pulumi project name (`Pulumi.yaml` `name`), the namespace of every stack config key. */
export const PROJECT = "pipeline-service";
/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
