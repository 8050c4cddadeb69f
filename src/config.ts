import path from 'node:path';

/** Root of the casebook checkout (the folder that holds package.json), from src/ or the compiled dist/src/. */
export const projectRoot = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');

/** Working state: artifacts, snapshots, logs, the dev server's SQLite file. */
export function casebookHome(): string {
  return path.resolve(process.env.CASEBOOK_HOME ?? path.join(projectRoot, '.casebook'));
}

/** Where published documents go: `<library>/cases/<industry>/<case>.md` and the library documents. */
export function libraryDir(): string {
  return path.resolve(process.env.CASEBOOK_LIBRARY_DIR ?? path.join(projectRoot, 'docs'));
}

/** The plan file used when none is given. */
export function defaultPlanFile(): string {
  return path.resolve(process.env.CASEBOOK_PLAN ?? path.join(projectRoot, 'plan', 'v15.0.yaml'));
}

/** The analysis template file. */
export function templateFile(): string {
  return path.resolve(process.env.CASEBOOK_TEMPLATE ?? path.join(projectRoot, 'plan', 'template.yaml'));
}
