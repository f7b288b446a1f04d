/** What every violation message must look like: full sentences, the last ones saying how to fix it. */

import { FIX_START, FIX_VERBS } from "../../../policy/lib/report.js";

/** Imperative verbs a fix sentence starts with (policy/lib/report.ts, where scripts/audit.ts splits messages). */
export { FIX_VERBS };

const FIX = FIX_START;

/** Why `message` is not a proper violation message, or undefined when it is. */
export function messageProblem(message: string): string | undefined {
    if (!/^[A-Z]/.test(message)) return "does not start with a capital letter";
    if (!/[.!?]$/.test(message)) return "does not end with a full stop";
    if (!FIX.test(message)) return `has no sentence saying how to fix it (starting with ${FIX_VERBS.join("/")})`;
    if (message.length > 600) return "is longer than 600 characters";
    return undefined;
}
