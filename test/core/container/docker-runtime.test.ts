import { createDockerRuntime } from '../../../src/core/container/docker.ts'
import { plainHarness, runtimeContract } from '../../contract/runtime-contract.ts'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest } from '../../helpers/docker.ts'

// The real engine with the test image's agent-runner: the reference the fake runtime must match.
runtimeContract(
  'docker',
  async () => {
    const uid = process.getuid?.() ?? 1000
    const user = uid === 0 ? '1000:1000' : `${uid}:${process.getgid?.() ?? uid}`
    const runtime = createDockerRuntime({ cli: process.env.NGB_CONTAINER_CLI ?? 'docker' })
    return plainHarness(runtime, await ensureTestImage(), user)
  },
  { test: dockerTest },
)
