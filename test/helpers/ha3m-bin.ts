// The CLI from source, for tests that need it as a separate process (e.g. to kill it).
import { main } from '../../src/cli/main.js';

await main(process.argv);
