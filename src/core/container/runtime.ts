import type { NetworkMode } from '../types.ts'

/** One bind mount; host paths are absolute and already checked. */
export interface Mount {
  hostPath: string
  containerPath: string
  readonly: boolean
}

/** Everything needed to start one agent container. No secrets: they travel on stdin only. */
export interface ContainerSpec {
  name: string
  image: string
  labels: Record<string, string>
  /** `uid:gid`, never root. */
  user: string
  network: NetworkMode
  memory: string
  cpus: string
  pidsLimit: number
  mounts: Mount[]
}

export interface RunningContainer {
  name: string
  /** Pid of the client process on the host (the container itself runs under the engine). */
  pid: number
  stdin: { write(data: string | Uint8Array): unknown; end(): unknown }
  stdout: ReadableStream<Uint8Array>
  stderr: ReadableStream<Uint8Array>
  /** Exit code of the container as the client reports it. */
  exited: Promise<number>
}

export interface ContainerSummary {
  name: string
  labels: Record<string, string>
  state: string
}

/** What the runner needs from a container engine; docker.ts implements it with the CLI. */
export interface ContainerRuntime {
  start(spec: ContainerSpec): RunningContainer
  /** Graceful stop (SIGTERM, `graceSeconds`, then the engine kills), then a kill if it is still there. */
  stop(name: string, graceSeconds?: number): Promise<void>
  kill(name: string): Promise<void>
  /** Containers (running or not) carrying every given label. */
  list(labels: Record<string, string>): Promise<ContainerSummary[]>
  remove(names: string[]): Promise<void>
}
