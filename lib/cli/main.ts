#!/usr/bin/env node
// The `hotrc` executable, and nothing else: it is only ever the entry point, so it runs at once.
// Library code imports runCli from run-cli.ts, which has no side effects.
import { exitCodes } from './command.js';
import { exitOnUncaught, internalErrorLine } from './internal-error.js';
import { runCli } from './run-cli.js';

const command = process.argv[2];
exitOnUncaught(command);
runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}).then(
  (code) => {
    process.exitCode = code;
  },
  // runCli never rejects; this is the last net if that promise is ever broken.
  (err: unknown) => {
    process.stderr.write(internalErrorLine(command, err));
    process.exitCode = exitCodes.internal;
  },
);
