/**
 * The writing activities: compose a draft with the built-in composer, and apply a writer's upload
 * (one section or the whole draft). Every change is a new revision: the content hash of the draft.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ComposeDraftInput, DraftUploadInput } from '../src/domain/activities';
import { NonRetryable } from '../src/domain/failures';
import { templateFile as defaultTemplateFile } from '../src/config';
import { composeMarkdown, figuresOf } from '../src/domain/compose';
import { awaitingWriterOf } from '../src/domain/drafting';
import type { Outline } from '../src/domain/outline';
import type { Dossier, DraftInfo, Template } from '../src/domain/types';
import { briefOf, readArtifact, readArtifactJson, readTemplate } from './artifacts';
import { putArtifact, revisionOf } from './store';

export { composeMarkdown, figuresOf } from '../src/domain/compose';
export type { ComposeInput } from '../src/domain/compose';

/** Largest upload accepted, in bytes of UTF-8. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

async function storeDraft(markdown: string, author: string, dossier: Dossier): Promise<DraftInfo> {
  const ref = await putArtifact(markdown, 'md');
  const awaitingWriter = awaitingWriterOf(markdown);
  return {
    revision: revisionOf(markdown),
    ref,
    bytes: Buffer.byteLength(markdown, 'utf8'),
    author,
    figures: figuresOf(markdown, dossier),
    // Only when there is a gap: a complete draft's result stays as it was (replayed histories).
    ...(awaitingWriter.length > 0 ? { awaitingWriter } : {}),
  };
}

/**
 * Composes the case document from the outline and the dossier with the built-in composer and stores
 * it. Deterministic and offline: the same input gives the same bytes and so the same revision. The
 * composer writes the skeleton, the cited facts and the capacity arithmetic, and marks what only a
 * writer can supply; `awaitingWriter` lists those items, and the workflow then waits in `drafting`.
 */
export async function composeDraft(input: ComposeDraftInput): Promise<DraftInfo> {
  const [outline, dossier, template] = await Promise.all([
    readArtifactJson<Outline>(input.outlineRef, 'outline'),
    readArtifactJson<Dossier>(input.dossierRef, 'research dossier'),
    readTemplate(input.templateFile),
  ]);
  if (outline.caseId !== input.caseId) {
    throw ApplicationFailure.nonRetryable(`the outline belongs to case "${outline.caseId}", not to "${input.caseId}"`, NonRetryable.CaseMismatch);
  }
  const markdown = composeMarkdown({
    brief: briefOf(input.brief, dossier),
    outline,
    dossier,
    template,
    language: input.language,
    feedback: input.feedback,
    planVersion: input.planVersion,
  });
  return storeDraft(markdown, input.author, dossier);
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, NonRetryable.InvalidDraft);
}

/** The `## ` headings of a document outside fenced code, with their line indexes. */
function sectionHeadings(lines: string[]): { index: number; text: string }[] {
  const out: { index: number; text: string }[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = undefined;
      return;
    }
    if (m) fence = m[1];
    else if (/^##\s/.test(line)) out.push({ index, text: line.slice(3).trim() });
  });
  return out;
}

function sectionNumber(template: Template, section: string): number {
  const key = section.trim();
  if (/^\d+$/.test(key)) {
    const n = Number(key);
    if (n >= 1 && n <= template.sections.length) return n;
  } else {
    const i = template.sections.findIndex((s) => s.id === key);
    if (i >= 0) return i + 1;
  }
  const ids = template.sections.map((s, i) => `${s.id} (${i + 1})`).join(', ');
  throw invalid(`unknown section ${JSON.stringify(section)}; use a section id or number: ${ids}`);
}

/**
 * Replaces section `n` of `base` with `upload`. The upload may bring its own `## n.` heading (then
 * its number must match) or only the section's content (then the base heading is kept).
 */
export function replaceSection(base: string, n: number, upload: string): string {
  const lines = base.split('\n');
  const headings = sectionHeadings(lines);
  const at = headings.findIndex((h) => new RegExp(`^${n}\\.(\\s|$)`).test(h.text));
  if (at < 0) throw invalid(`the current draft has no section "## ${n}."; upload the whole draft instead`);
  const start = headings[at].index;
  const end = at + 1 < headings.length ? headings[at + 1].index : lines.length;

  const uploadLines = upload.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const own = sectionHeadings(uploadLines);
  if (own.length > 1) throw invalid(`the upload for section ${n} holds ${own.length} "## " headings; upload one section, or the whole draft without --section`);
  let replacement: string[];
  if (own.length === 1) {
    if (own[0].index !== 0) throw invalid(`the upload's "## " heading must be its first line`);
    if (!new RegExp(`^${n}\\.(\\s|$)`).test(own[0].text)) {
      throw invalid(`the upload's heading "## ${own[0].text}" does not match section ${n}; number it "## ${n}." or leave the heading out`);
    }
    replacement = uploadLines;
  } else {
    replacement = [lines[start], '', ...uploadLines];
  }
  const after = lines.slice(end);
  return [...lines.slice(0, start), ...replacement, ...(after.length > 0 ? ['', ...after] : [''])].join('\n');
}

/**
 * Applies a writer's upload to the draft `baseRef`: with `section` (a template section id such as
 * `scenario`, or its number), replaces that `## n.` section; without it, replaces the whole draft.
 * Rejects (non-retryable `InvalidDraft`) an empty or oversized upload and an unknown section.
 */
export async function applyDraftUpload(input: DraftUploadInput): Promise<DraftInfo> {
  const upload = input.markdown.replace(/\r\n?/g, '\n');
  if (Buffer.byteLength(upload, 'utf8') > MAX_UPLOAD_BYTES) {
    throw invalid(`the upload is over ${MAX_UPLOAD_BYTES} bytes; upload one section at a time`);
  }
  if (!upload.trim()) throw invalid('the upload is empty');

  let markdown: string;
  if (input.section === undefined || input.section.trim() === '') {
    markdown = upload.replace(/\s+$/, '') + '\n';
  } else {
    const template = await readTemplate(input.templateFile ?? defaultTemplateFile());
    const n = sectionNumber(template, input.section);
    const base = await readArtifact(input.baseRef, 'base draft');
    markdown = replaceSection(base, n, upload);
    if (!markdown.endsWith('\n')) markdown += '\n';
  }
  const dossier = await readArtifactJson<Dossier>(input.dossierRef, 'research dossier');
  return storeDraft(markdown, input.author, dossier);
}

