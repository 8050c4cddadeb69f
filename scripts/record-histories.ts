/**
 * Records the histories that test/replay.test.ts replays against the current workflow code.
 *
 * Runs representative case workflows on a local dev server (the provisioned `temporal` binary) with
 * the test activities, and writes each completed history to test/histories/<scenario>.json.
 * Re-record only when a change to workflows/ is meant to alter the command sequence AND no
 * running case can be affected (see docs/determinism.md); otherwise guard the change with
 * `patched()` and keep the old histories.
 *
 *   npm run record-histories            # all scenarios
 *   npm run record-histories -- happy   # only the named ones
 */
import { revisionOf } from '../activities/store';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import {
  approveSignal,
  approveUpdate,
  requestChangesSignal,
  requestChangesUpdate,
  uploadDraftUpdate,
  type CaseProgress,
} from '../src/messages';
import { bundle, localEnv } from '../test/helpers/env';
import { historyToJson } from '../test/helpers/histories';
import { type CaseHandle, startCase, waitForPhase } from '../test/helpers/harness';
import { fakeActivities, testBrief, testInput, type FakeControls } from '../test/helpers/fakes';

/** Where the recorded histories live. */
export const HISTORY_DIR = path.join(__dirname, '..', 'test', 'histories');

/**
 * Prefix of the histories this code records. The unprefixed ones were recorded before the lean
 * engine path (patch `lean-engine-path`) and are kept: cases started then may still be running.
 */
export const HISTORY_PREFIX = 'v2-';

interface Scenario {
  name: string;
  description: string;
  setup?: (controls: FakeControls) => void;
  drive: (handle: CaseHandle) => Promise<void>;
}

/** The case's progress once it is in `phase` (and `extra` holds). */
const waitFor = (handle: CaseHandle, phase: string, extra?: (p: CaseProgress) => boolean) => waitForPhase(handle, phase, extra);

const FIXED_DRAFT = '# fixed by hand\n\nA corrected draft.';

/** The scenarios, each ending with a published case so its history is complete. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'happy-path',
    description: 'every phase, one approval by update and one by signal, published',
    drive: async (handle) => {
      const { revision } = await waitFor(handle, 'review');
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision, comment: 'clear' }] });
      await handle.signal(approveSignal, { reviewer: 'bob', revision });
    },
  },
  {
    name: 'request-changes-to-analysis',
    description: 'an approval, then changes requested back to analysis (voiding it), a second revision approved',
    drive: async (handle) => {
      const first = await waitFor(handle, 'review');
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: first.revision }] });
      await handle.executeUpdate(requestChangesUpdate, {
        args: [{ reviewer: 'bob', comment: 'Cite the settlement volume', backTo: 'analysis', revision: first.revision }],
      });
      const second = await waitFor(handle, 'review', (p) => p.revision !== first.revision);
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: second.revision }] });
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol', revision: second.revision }] });
    },
  },
  {
    name: 'invalid-signals',
    description: 'malformed and unauthorised signals audited as rejected, then a signal change request, then approvals',
    drive: async (handle) => {
      const first = await waitFor(handle, 'review');
      await handle.signal(approveSignal, { reviewer: 'mallory' });
      await handle.signal(approveSignal, {} as never);
      await handle.signal(requestChangesSignal, { reviewer: 'alice' } as never);
      await handle.signal(approveSignal, { reviewer: 'alice', revision: 'deadbeef0000' });
      await handle.signal(requestChangesSignal, { reviewer: 'carol', comment: 'Shorter intro' });
      const second = await waitFor(handle, 'review', (p) => p.revision !== first.revision);
      await handle.signal(approveSignal, { reviewer: 'alice' });
      await handle.signal(approveSignal, { reviewer: 'alice' });
      await handle.signal(approveSignal, { reviewer: 'carol', revision: second.revision });
    },
  },
  {
    name: 'qa-failure-upload',
    description: 'QA fails twice on the same revision, the case needs attention, a writer uploads, approved',
    setup: (controls) => {
      controls.stubbornComposer = true;
      controls.qaFails = (revision) => revision !== revisionOf(FIXED_DRAFT);
    },
    drive: async (handle) => {
      await waitFor(handle, 'attention');
      const uploaded = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: FIXED_DRAFT }] });
      await waitFor(handle, 'review', (p) => p.revision === uploaded.revision);
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: uploaded.revision }] });
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob', revision: uploaded.revision }] });
    },
  },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${SCENARIOS.map((s) => s.name).join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  mkdirSync(HISTORY_DIR, { recursive: true });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const [env, workflowBundle] = await Promise.all([localEnv(), bundle()]);
  try {
    for (const scenario of scenarios) {
      const caseId = `replay-${scenario.name}`;
      const taskQueue = `record-${scenario.name}`;
      const { activities, controls } = fakeActivities();
      scenario.setup?.(controls);
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
      const handle = await startCase(env.client, taskQueue, testInput(caseId, testBrief({ id: caseId })));
      await worker.runUntil(async () => {
        await scenario.drive(handle);
        const result = await handle.result();
        if (result.phase !== 'published') throw new Error(`${scenario.name} ended in ${result.phase}`);
      });
      const history = await handle.fetchHistory();
      const file = path.join(HISTORY_DIR, `${HISTORY_PREFIX}${scenario.name}.json`);
      writeFileSync(file, historyToJson(history) + '\n');
      console.log(`${scenario.name}: ${history.events?.length ?? 0} events → ${path.relative(process.cwd(), file)} (${scenario.description})`);
    }
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
