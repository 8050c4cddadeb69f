/**
 * Where the review page and the CLI read drafts and research dossiers: the workers' store. Every
 * read goes through this one interface, so moving the store (to another backend) changes no page.
 */
import { getArtifact, getJson } from '../../activities/store';
import type { Dossier } from '../domain/types';

export interface DraftStore {
  /** The Markdown of a draft revision, by its artifact reference (`DraftInfo.ref`). */
  readDraft(ref: string): Promise<string>;
  /** The research dossier (sources with their text, extracted facts), by its reference. */
  readDossier(ref: string): Promise<Dossier>;
}

/** The store the workers write (activities/store.ts). */
export const workerStore: DraftStore = {
  readDraft: (ref) => getArtifact(ref),
  readDossier: (ref) => getJson<Dossier>(ref),
};
