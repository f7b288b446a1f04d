/**
 * The Pipeline Service policy pack.
 *
 *     pulumi preview --policy-pack policy --policy-pack-config policy/config/prod.json
 *
 * No rule sets its own enforcement level: the pack default is advisory, and `--policy-pack-config` raises it
 * (`{"all": "mandatory"}` in config/prod.json). Tests never import this file: constructing a PolicyPack starts the
 * analyzer's gRPC server (see README.md).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules/index.js";

export const PACK_NAME = "pipeline-service";

new PolicyPack(PACK_NAME, { policies, enforcementLevel: "advisory" });
