import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  publishCase,
  publishedPath,
  readManifestEntry,
  readPublishManifest,
  unpublishCase,
} from '../activities/publishing';
import { putArtifact, revisionOf } from '../activities/store';
import type { PublishResult } from '../src/domain/types';
import { expectApplicationFailure } from './helpers/harness';
import { freshTestStore } from './helpers/test-store';

let tmp: string;
let library: string;
const saved = { home: process.env.CASEBOOK_HOME, library: process.env.CASEBOOK_LIBRARY_DIR };

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-publish-'));
  library = path.join(tmp, 'docs');
  process.env.CASEBOOK_HOME = path.join(tmp, 'home');
  process.env.CASEBOOK_LIBRARY_DIR = library;
  freshTestStore();
});

afterEach(async () => {
  for (const [name, value] of [
    ['CASEBOOK_HOME', saved.home],
    ['CASEBOOK_LIBRARY_DIR', saved.library],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Stores a draft the way the writing phase does and returns what publishCase needs. */
async function draft(markdown: string): Promise<{ draftRef: string; revision: string }> {
  return { draftRef: await putArtifact(markdown, 'md'), revision: revisionOf(markdown) };
}

function workflowEnv(workflowId = 'case-square', runId = 'run-1'): MockActivityEnvironment {
  // Expected failures are asserted below; the SDK's warning for each would only be noise.
  return new MockActivityEnvironment(
    { workflowExecution: { workflowId, runId }, activityId: '7' },
    { logger: new DefaultLogger('ERROR') },
  );
}

/** Publishes square's v1 from run 1, then v2 from run 2 (the case's next run); returns both drafts and run 2's environment. */
async function publishTwice(): Promise<{ first: Awaited<ReturnType<typeof draft>>; second: Awaited<ReturnType<typeof draft>>; run2: MockActivityEnvironment }> {
  const first = await draft('# Square\n\nv1\n');
  const second = await draft('# Square\n\nv2\n');
  await workflowEnv('case-square', 'run-1').run(publishCase, { caseId: 'square', industry: 'fintech', ...first });
  const run2 = workflowEnv('case-square', 'run-2');
  await run2.run(publishCase, { caseId: 'square', industry: 'fintech', ...second });
  return { first, second, run2 };
}

const failureOf = expectApplicationFailure;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('publishCase', () => {
  test('writes the approved draft into the library and records it in the manifest', async () => {
    const d = await draft('# Square\n\nfirst revision\n');
    const result = await workflowEnv().run(publishCase, { caseId: 'square', industry: 'fintech', ...d });

    const expected = path.join(library, 'cases', 'fintech', 'square.md');
    expect(result).toEqual({ path: expected, revision: d.revision });
    expect(await fs.readFile(expected, 'utf8')).toBe('# Square\n\nfirst revision\n');
    expect(await readPublishManifest()).toEqual({
      square: expect.objectContaining({ caseId: 'square', industry: 'fintech', revision: d.revision, path: 'cases/fintech/square.md' }),
    });
    // Nothing but the document and its manifest entry: no temporary files left behind.
    expect(await files(library)).toEqual(['cases/.published/square.json', 'cases/fintech/square.md']);
  });

  test('publishing the same revision twice changes nothing and leaves one manifest entry', async () => {
    const d = await draft('# Square\n\nsame\n');
    const input = { caseId: 'square', industry: 'fintech', ...d };
    const env = workflowEnv();
    await env.run(publishCase, input);
    const file = publishedPath('fintech', 'square');
    const before = await fs.stat(file);
    const entryBefore = await readManifestEntry('square');

    // A retry of the same activity, then a later workflow run publishing the same revision.
    await env.run(publishCase, input);
    await workflowEnv('case-square', 'run-2').run(publishCase, input);

    expect((await fs.stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect(await readManifestEntry('square')).toEqual(entryBefore);
    expect(Object.keys(await readPublishManifest())).toEqual(['square']);
  });

  test('a new revision replaces the document and the manifest entry', async () => {
    const { second } = await publishTwice();

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n\nv2\n');
    expect((await readManifestEntry('square'))?.revision).toBe(second.revision);
  });

  test('a draft that is not the approved revision is refused without retry', async () => {
    const approved = await draft('# Square\n\napproved\n');
    const changed = await draft('# Square\n\nchanged after approval\n');

    const err = await failureOf(
      workflowEnv().run(publishCase, { caseId: 'square', industry: 'fintech', draftRef: changed.draftRef, revision: approved.revision }),
    );
    expect(err.type).toBe('RevisionMismatch');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(approved.revision);
    await expect(fs.access(path.join(library, 'cases', 'fintech', 'square.md'))).rejects.toThrow();
    expect(await readPublishManifest()).toEqual({});
  });

  test.each([
    ['caseId', { caseId: '../../escape', industry: 'fintech' }],
    ['caseId', { caseId: 'square/../../x', industry: 'fintech' }],
    ['caseId', { caseId: '.hidden', industry: 'fintech' }],
    ['caseId', { caseId: 'Square', industry: 'fintech' }],
    ['industry', { caseId: 'square', industry: '..' }],
    ['industry', { caseId: 'square', industry: '/etc' }],
    ['industry', { caseId: 'square', industry: 'fin\\tech' }],
    ['industry', { caseId: 'square', industry: '' }],
  ])('an unsafe %s is refused without retry: %j', async (_field, ids) => {
    const d = await draft('# x\n');
    const err = await failureOf(workflowEnv().run(publishCase, { ...ids, ...d }));
    expect(err.type).toBe('UnsafePath');
    expect(err.nonRetryable).toBe(true);
    expect(await files(tmp).then((all) => all.filter((f) => f.endsWith('.md') && !f.includes('artifacts')))).toEqual([]);
  });

  test('a symbolic link inside the library is refused, nothing is written through it', async () => {
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(outside, { recursive: true });
    await fs.mkdir(path.join(library, 'cases'), { recursive: true });
    await fs.symlink(outside, path.join(library, 'cases', 'fintech'));
    const d = await draft('# Square\n');

    const err = await failureOf(workflowEnv().run(publishCase, { caseId: 'square', industry: 'fintech', ...d }));
    expect(err.type).toBe('UnsafePath');
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('a safe case id and industry pass the same checks', async () => {
    const d = await draft('# AWS IoT Core\n');
    const result = await workflowEnv().run(publishCase, { caseId: 'aws-iot-core', industry: 'iot-2', ...d });
    expect((result as PublishResult).path).toBe(path.join(library, 'cases', 'iot-2', 'aws-iot-core.md'));
  });
});

describe('unpublishCase', () => {
  test('restores the previous version and its manifest entry', async () => {
    const first = await draft('# Square\n\nv1\n');
    const second = await draft('# Square\n\nv2\n');
    await workflowEnv('case-square', 'run-1').run(publishCase, { caseId: 'square', industry: 'fintech', ...first });
    const firstEntry = await readManifestEntry('square');
    const env = workflowEnv('case-square', 'run-2');
    await env.run(publishCase, { caseId: 'square', industry: 'fintech', ...second });

    await env.run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: second.revision });

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n\nv1\n');
    expect(await readManifestEntry('square')).toEqual(firstEntry);
  });

  test('removes a first publication and its manifest entry', async () => {
    const d = await draft('# Square\n');
    const env = workflowEnv();
    await env.run(publishCase, { caseId: 'square', industry: 'fintech', ...d });

    await env.run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: d.revision });

    await expect(fs.access(publishedPath('fintech', 'square'))).rejects.toThrow();
    expect(await readPublishManifest()).toEqual({});
  });

  test('running it twice is safe', async () => {
    const { first, second, run2: env } = await publishTwice();

    const input = { caseId: 'square', industry: 'fintech', revision: second.revision };
    await env.run(unpublishCase, input);
    await env.run(unpublishCase, input);

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n\nv1\n');
    expect((await readManifestEntry('square'))?.revision).toBe(first.revision);
  });

  test('is a no-op when the publication never happened', async () => {
    const d = await draft('# Square\n');
    await workflowEnv().run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: d.revision });
    expect(await files(tmp).then((all) => all.filter((f) => !f.includes('artifacts')))).toEqual([]);
  });

  test('leaves a document alone when it is no longer the given revision', async () => {
    const { first, second } = await publishTwice();

    // Compensating the older publication must not undo the newer one.
    await workflowEnv('case-square', 'run-1').run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: first.revision });

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n\nv2\n');
    expect((await readManifestEntry('square'))?.revision).toBe(second.revision);
  });

  test('a retried publish keeps the version it replaced, so compensation still restores it', async () => {
    const { second, run2: env } = await publishTwice();
    // First attempt wrote everything; the retry sees its own document in place.
    await env.run(publishCase, { caseId: 'square', industry: 'fintech', ...second });

    await env.run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: second.revision });

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n\nv1\n');
  });

  test('compensating a republication of an already published revision keeps that revision', async () => {
    const d = await draft('# Square\n');
    await workflowEnv('case-square', 'run-1').run(publishCase, { caseId: 'square', industry: 'fintech', ...d });
    const env = workflowEnv('case-square', 'run-2');
    await env.run(publishCase, { caseId: 'square', industry: 'fintech', ...d });

    await env.run(unpublishCase, { caseId: 'square', industry: 'fintech', revision: d.revision });

    expect(await fs.readFile(publishedPath('fintech', 'square'), 'utf8')).toBe('# Square\n');
    expect((await readManifestEntry('square'))?.revision).toBe(d.revision);
  });

  test('refuses an unsafe case id', async () => {
    const err = await failureOf(workflowEnv().run(unpublishCase, { caseId: '../x', industry: 'fintech', revision: 'abc' }));
    expect(err.type).toBe('UnsafePath');
  });
});
