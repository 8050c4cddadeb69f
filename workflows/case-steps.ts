/**
 * The working steps of a case before review: research, analysis, writing and QA. Each runs its
 * activity, records the outcome and moves the case to its next phase.
 */
import { condition, workflowInfo } from '@temporalio/workflow';
import { analyzeCase, checkDraft, collectSources, composeDraft } from './proxies';
import type { CaseRun } from './case-run';

const feedbackTexts = (run: CaseRun) => run.s.feedback.map((f) => `${f.reviewer} (${f.revision ?? 'draft'}): ${f.comment}`);

const qaFeedback = (run: CaseRun) =>
  (run.s.qa?.findings ?? []).filter((f) => f.severity === 'error').map((f) => `QA ${f.rule}${f.line ? ` line ${f.line}` : ''}: ${f.message} — ${f.fix}`);

/** The brief for a step's input, unless research stored it in the dossier. */
const briefUnlessStored = (run: CaseRun) => (run.s.dossierHasBrief ? {} : { brief: run.brief });

/** Collects the brief's sources and the researchers' notes into a dossier. */
export async function research(run: CaseRun): Promise<void> {
  const { s, brief, caseId } = run;
  // Lean: the brief travels once, to research, which stores it in the dossier for the later steps.
  const input = run.lean ? { caseId, planFile: run.input.planFile, brief, notes: s.notes } : { caseId, planFile: run.input.planFile, sources: brief.sources, notes: s.notes };
  s.dossier = await collectSources.executeWithOptions({ summary: `collect ${brief.sources.length} sources + ${s.notes.length} notes` }, [input]);
  s.dossierHasBrief = run.lean;
  const unreachable = s.dossier.sources.filter((src) => src.status !== 'ok');
  if (unreachable.length) {
    run.audit({
      actor: 'casebook',
      action: 'sources not collected',
      accepted: true,
      via: 'workflow',
      detail: unreachable.map((src) => `${src.id}: ${src.error ?? src.status}`).join('; '),
    });
  }
  run.enterPhase('analysis');
}

/** Maps the dossier's facts onto the template. */
export async function analysis(run: CaseRun): Promise<void> {
  const { s, caseId } = run;
  s.outline = await analyzeCase.executeWithOptions({ summary: `map ${s.dossier!.factCount} facts to the template` }, [
    { caseId, ...briefUnlessStored(run), dossierRef: s.dossier!.ref, feedback: feedbackTexts(run) },
  ]);
  run.enterPhase('writing');
}

/** Composes a revision; one that QA already failed waits for a writer instead of looping. */
export async function writing(run: CaseRun): Promise<void> {
  const { s, brief, caseId, language } = run;
  const draft = await composeDraft.executeWithOptions({ summary: `compose revision ${s.revisionCount + 1} (${language})` }, [
    {
      caseId,
      ...briefUnlessStored(run),
      planVersion: run.input.planVersion,
      outlineRef: s.outline!.ref,
      dossierRef: s.dossier!.ref,
      templateFile: run.input.templateFile,
      language,
      feedback: [...feedbackTexts(run), ...qaFeedback(run)],
      author: brief.author,
    },
  ]);
  if (draft.revision === s.failedRevision) {
    // The built-in composer cannot fix what QA found; a writer has to (uploadDraft).
    s.draft = s.draft ?? draft;
    run.needAttention(
      `QA blocks revision ${draft.revision} and the composer produced it again. Upload a corrected draft with \`casebook draft upload ${caseId}\`.`,
      'writing',
    );
    return;
  }
  if (draft.revision !== s.draft?.revision) {
    run.adoptDraft(draft, draft.author, 'workflow');
    s.uploadedBy = undefined;
  }
  // The composer left parts only a writer can supply: wait for the upload (never publish a skeleton).
  run.enterPhase(draft.awaitingWriter?.length ? 'drafting' : 'qa');
}

/** Waits for a writer's upload (the update handler moves the case on), or for continue-as-new. */
export async function drafting(run: CaseRun): Promise<void> {
  await condition(() => run.s.phase !== 'drafting' || workflowInfo().continueAsNewSuggested);
}

/** Checks the current revision; errors send it back to writing, or to attention if a writer made it. */
export async function qa(run: CaseRun): Promise<void> {
  const { s, caseId, language } = run;
  const draft = s.draft!;
  s.qa = await checkDraft.executeWithOptions({ summary: `QA revision ${draft.revision}` }, [
    { caseId, draftRef: draft.ref, dossierRef: s.dossier!.ref, templateFile: run.input.templateFile, language, revision: draft.revision },
  ]);
  run.audit({
    actor: 'qa',
    action: s.qa.errors ? 'qa failed' : 'qa passed',
    revision: draft.revision,
    accepted: true,
    via: 'workflow',
    detail: `${s.qa.errors} errors, ${s.qa.warnings} warnings`,
  });
  if (s.qa.errors === 0) {
    s.failedRevision = undefined;
    run.enterPhase('review');
    return;
  }
  s.failedRevision = draft.revision;
  s.reworkLoops += 1;
  if (!s.uploadedBy) {
    run.enterPhase('writing');
    return;
  }
  const first = s.qa.findings.find((f) => f.severity === 'error');
  const where = first ? `, first: ${first.rule}${first.line ? ` line ${first.line}` : ''}: ${first.message}` : '';
  run.needAttention(
    `QA blocks revision ${draft.revision} uploaded by ${s.uploadedBy} (${s.qa.errors} errors${where}). Upload a corrected draft with \`casebook draft upload ${caseId}\`.`,
    'writing',
  );
}
