// Seeds the demo organisation once into the directory given as the argument: starts
// `flipside demo` there, waits until it listens (the organisation is made before it does), and
// stops it. run.sh passes the directory to every test file as BROWSER_DEMO_TEMPLATE, so that
// each starts from a copy instead of making the organisation again (seconds each in a debug
// build).
import { startFlipside } from './harness.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: node lib/seed.js DATA_DIR');
  process.exit(2);
}
const server = await startFlipside({ dataDir });
await server.stop();
