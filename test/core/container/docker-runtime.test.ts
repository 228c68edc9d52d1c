import { createDockerRuntime } from '../../../src/core/container/docker.ts'
import { runtimeContract } from '../../contract/runtime-contract.ts'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest } from '../../helpers/docker.ts'

// The real engine with the test image's agent-runner: the reference the fake runtime must match.
runtimeContract(
  'docker',
  async () => {
    const image = await ensureTestImage()
    const runtime = createDockerRuntime({ cli: process.env.NGB_CONTAINER_CLI ?? 'docker' })
    const uid = process.getuid?.() ?? 1000
    return {
      runtime,
      spec: (name, labels) => ({
        name,
        image,
        labels,
        user: uid === 0 ? '1000:1000' : `${uid}:${process.getgid?.() ?? uid}`,
        network: 'none',
        memory: '256m',
        cpus: '0.5',
        pidsLimit: 64,
        mounts: [],
      }),
      async cleanup(labels) {
        await runtime.remove((await runtime.list(labels)).map((c) => c.name))
      },
    }
  },
  { test: dockerTest },
)
