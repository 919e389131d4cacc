// A storm round in a process of its own: `node --import tsx round-child.ts '<RoundOptions JSON>'`
// prints the RoundResult as one JSON line, and must then exit by itself: a timer, watch or
// signal handler left behind by stop() keeps it alive, and runRoundInChild reports that.
import { runRound } from './storm-round.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof runRound>[0];
const result = await runRound(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
