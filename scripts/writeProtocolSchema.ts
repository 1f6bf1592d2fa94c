/** `npm run schema`: rewrites docs/protocol.schema.json from the valibot schemas (the build writes dist/'s copy). */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../bench/size'
import { protocolJsonSchema } from './protocolJsonSchema'

writeFileSync(
  join(repoRoot, 'docs', 'protocol.schema.json'),
  `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`,
)
console.log('docs/protocol.schema.json written')
