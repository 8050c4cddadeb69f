/**
 * Installs the Temporal CLI and the time-skipping test server into .temporal/ when they are not
 * already available. Runs as `postinstall`; a failure warns but never fails `npm install`.
 */
import { findBinary, installHint, provisionBinaries } from '../src/binaries';

const log = (line: string) => console.log(`[casebook] ${line}`);

try {
  const missing = provisionBinaries(log);
  for (const kind of ['cli', 'test-server'] as const) {
    const found = findBinary(kind);
    if (found) log(`${kind === 'cli' ? 'Temporal CLI' : 'Temporal test server'}: ${found}`);
  }
  for (const kind of missing) {
    log(`WARNING: could not install the ${kind === 'cli' ? 'Temporal CLI' : 'Temporal test server'}.`);
    log(installHint(kind));
  }
} catch (err) {
  log(`WARNING: provisioning the Temporal binaries failed: ${(err as Error).message}`);
  log(installHint('cli'));
}
