/**
 * A stack that targets an operator version the checker does not know, or whose channel ships another operator, fails
 * before any resource is registered, naming both values (issue 9 §6).
 */
import test from "ava";
import { collected, configOf, installMocks, stackValues } from "../helpers/mocks.js";

const raw = stackValues("prod") as Record<string, any>;
raw.osp.operatorVersion = "0.74.0";
await installMocks("prod", configOf(raw));
const pulumi = await import("@pulumi/pulumi");

test("prod targeting 0.74.0 on channel pipelines-5.0: a RunError naming both, nothing registered", async (t) => {
    const err = await t.throwsAsync(import("../../index.js"));
    t.true(pulumi.RunError.isInstance(err), "a RunError: the CLI prints it without a stack trace");
    t.true(
        err!.message.includes(
            "pipeline-service:osp.operatorVersion: '0.74.0' disagrees with osp.subscription.channel 'pipelines-5.0'",
        ),
        err!.message,
    );
    t.true(err!.message.includes("pipeline-service:osp.catalog.image: is OSP build 5.0.5-854"), err!.message);
    t.is(collected.length, 0, "nothing was registered");
});
