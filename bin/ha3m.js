#!/usr/bin/env node
// The `ha3m` command runs the compiled CLI (npm ci / npm install build it).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli')) {
    console.error('ha3m is not built: run `npm install` (or `npm run build`) in the package directory first');
  } else {
    console.error(err && err.stack ? err.stack : String(err));
  }
  process.exit(1);
});
