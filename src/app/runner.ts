import { defaultConfigDir } from '../config/paths.ts'
import { allowlistPath } from '../core/container/allowlist.ts'
import { createDockerRuntime } from '../core/container/docker.ts'
import { createMountPolicy } from '../core/container/mount-policy.ts'
import type { ContainerRuntime } from '../core/container/runtime.ts'
import type { EventBus } from '../core/events.ts'
import { createAgentRunner } from '../core/runner/run-turn.ts'
import type { AgentRunner } from '../core/runner/types.ts'
import type { Runtime } from './runtime.ts'

/** The container engine: the docker CLI (or NGB_CONTAINER_CLI). */
export function createContainerRuntime(rt: Runtime): ContainerRuntime {
  return createDockerRuntime({ cli: rt.config.containerCli })
}

/** The mount allowlist as runs and group saves see it (`~/.config/nanogridbot/mount-allowlist.json`). */
export function mountPolicy(rt: Pick<Runtime, 'paths' | 'log'>) {
  const configDir = defaultConfigDir(process.env)
  const home = process.env.HOME ?? configDir
  const protectedPaths = [rt.paths.dataDir, configDir]
  const policy = createMountPolicy({
    allowlistFile: allowlistPath(configDir),
    home,
    protectedPaths,
    log: rt.log,
  })
  return { ...policy, home, protectedPaths }
}

/** The agent runner over the container runtime; `bus` gets run.* events when given. */
export function createRunner(
  rt: Runtime,
  opts: { runtime?: ContainerRuntime; bus?: EventBus } = {},
): AgentRunner {
  const policy = mountPolicy(rt)
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
    allowlist: policy.allowlist,
    protectedPaths: policy.protectedPaths,
    home: policy.home,
    bus: opts.bus,
  })
}
