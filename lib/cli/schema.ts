import { parseArgs } from 'node:util';
import { toJsonSchema } from '../tor/schema/json-schema.js';
import { type Command, UsageError, usage } from './command.js';

/**
 * `hotrc schema`: the JSON Schema of a config, for editors.
 * @example await schema.run([], io) // prints the schema, returns 0
 */
export const schema: Command = {
  name: 'schema',
  summary: 'schema                print the JSON Schema of a config',
  usage: `Usage: hotrc schema

Prints the JSON Schema (draft 2020-12) of hotrc's config in JSON form, with each
field's description and whether it reloads without a restart.
`,
  async run(args, io) {
    const { positionals } = usage(() =>
      parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw new UsageError('schema takes no arguments');
    io.stdout(`${JSON.stringify(toJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
