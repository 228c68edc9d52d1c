/**
 * The agent-runner: the container's entrypoint. Reads one JSON input on stdin (secrets only there),
 * runs the chosen provider for the whole session (first prompt + follow-ups) and exits with its code.
 */
import * as v from 'valibot'
import type { ContainerInput } from '../../src/protocol/container.ts'
import { ContainerInputSchema } from '../../src/protocol/container.ts'
import { agentPaths, createEmitter, createProviderContext } from './context.ts'
import type { Provider } from './provider.ts'

const log = (line: string) => process.stderr.write(`[agent-runner] ${line}\n`)

async function loadProvider(name: ContainerInput['provider']): Promise<Provider> {
  if (name === 'mock') return (await import('./providers/mock.ts')).mockProvider
  try {
    return (await import('./providers/claude.ts')).claudeProvider
  } catch (error) {
    // The offline test image has no Claude Agent SDK: say so instead of a module-resolution trace.
    throw new Error(`claude provider not built into this image: ${(error as Error).message}`)
  }
}

async function main(): Promise<number> {
  const emitter = createEmitter(process.stdout)
  // docker stop sends SIGTERM to pid 1, which has no default handler: exit promptly instead of
  // waiting out the grace period.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void emitter.flush().then(() => process.exit(143))
    })
  }
  let input: ContainerInput
  try {
    const raw = await Bun.stdin.text()
    const parsed = v.safeParse(ContainerInputSchema, JSON.parse(raw))
    if (!parsed.success) throw new Error(parsed.issues[0].message)
    input = parsed.output
  } catch (error) {
    emitter.emit({ type: 'error', kind: 'input', message: `bad input on stdin: ${(error as Error).message}` })
    await emitter.flush()
    return 1
  }
  let code: number
  try {
    const provider = await loadProvider(input.provider)
    code = await provider(createProviderContext(input, agentPaths(process.env), emitter.emit, log))
  } catch (error) {
    emitter.emit({ type: 'error', kind: 'internal', message: (error as Error).message })
    code = 1
  }
  await emitter.flush()
  return code
}

process.exit(await main())
