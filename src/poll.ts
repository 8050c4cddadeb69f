/**
 * The one polling loop: `npm start`'s clean-up of an earlier dev server, and the tests' and scripts'
 * waits (test/helpers/processes.ts `waitFor`, test/helpers/harness.ts `waitUntil`) wrap it with their
 * own messages.
 */

/**
 * Calls `attempt` every `intervalMs` until it returns something other than undefined, and returns
 * that; undefined when `timeoutMs` passes first (`attempt` always runs at least once, and once more
 * after the deadline). An error thrown by `attempt` ends the wait.
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
