import * as v from 'valibot'
import { ContainerInputSchema } from '../../src/protocol/container.ts'
import { plainHarness, runtimeContract } from '../contract/runtime-contract.ts'
import { createFakeRuntime } from './fake-runtime.ts'

function parses(input: string): boolean {
  try {
    return v.safeParse(ContainerInputSchema, JSON.parse(input)).success
  } catch {
    return false
  }
}

// The fake must behave as the engine does (test/core/container/docker-runtime.test.ts runs the same
// suite against Docker). The program stands in for the agent-runner's answer to its stdin.
runtimeContract('fake', () => {
  const runtime = createFakeRuntime({
    program: (c) =>
      c.onStdinEnd((input) =>
        queueMicrotask(() => {
          if (parses(input)) {
            c.frame({ type: 'result', text: 'ok' })
            c.exit(0)
            return
          }
          c.frame({ type: 'error', kind: 'input', message: 'bad input on stdin' })
          c.exit(1)
        }),
      ),
  })
  return plainHarness(runtime, 'ngb-agent:fake', '1000:1000')
})
