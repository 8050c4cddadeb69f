// Preloaded with `node --require` by test/cli-lazy.test.ts: when the process exits, writes the
// CommonJS modules it loaded, one path a line, to $LOADED_MODULES_FILE.
const fs = require('node:fs');

process.on('exit', () => {
  fs.writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join('\n'));
});
