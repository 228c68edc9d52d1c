import { existsSync } from 'node:fs'
import { defaultConfigDir } from '../config/paths.ts'
import { allowlistPath, loadMountAllowlist } from '../core/container/allowlist.ts'
import { createDockerRuntime } from '../core/container/docker.ts'
import type { ContainerRuntime } from '../core/container/runtime.ts'
import type { EventBus } from '../core/events.ts'
import { createAgentRunner } from '../core/runner/run-turn.ts'
import type { AgentRunner } from '../core/runner/types.ts'
import type { Runtime } from './runtime.ts'

/** The container engine: the docker CLI (or NGB_CONTAINER_CLI). */
export function createContainerRuntime(rt: Runtime): ContainerRuntime {
  return createDockerRuntime({ cli: rt.config.containerCli })
}

/** The agent runner over the container runtime; `bus` gets run.* events when given. */
export function createRunner(
  rt: Runtime,
  opts: { runtime?: ContainerRuntime; bus?: EventBus } = {},
): AgentRunner {
  const configDir = defaultConfigDir(process.env)
  const allowlistFile = allowlistPath(configDir)
  return createAgentRunner({
    runtime: opts.runtime ?? createContainerRuntime(rt),
    config: rt.config,
    paths: rt.paths,
    installId: rt.installId,
    runs: rt.repos.runs,
    clock: rt.clock,
    log: rt.log,
    masker: rt.masker,
    // Read at each run so edits apply without a restart; a bad file means no extra mounts.
    allowlist: () => {
      const load = loadMountAllowlist(allowlistFile)
      if (load.ok) return load.allowlist
      if (existsSync(allowlistFile))
        rt.log.warn('mount allowlist ignored: no extra mounts', { component: 'runner', reason: load.reason })
      return undefined
    },
    protectedPaths: [rt.paths.dataDir, configDir],
    home: process.env.HOME ?? configDir,
    bus: opts.bus,
  })
}
