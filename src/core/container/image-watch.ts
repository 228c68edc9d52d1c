import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'

/** What a turn waits for before it starts a container: the agent image exists. */
export interface AgentImage {
  /** Resolves once the image exists (at once when it does). */
  ready(): Promise<void>
}

export interface ImageStatus {
  image: string
  /** undefined until the first check answered. */
  present?: boolean
  building: boolean
  /** Why the last build failed, until the next one starts. */
  buildError?: string
}

export interface ImageWatch extends AgentImage {
  status(): ImageStatus
  /** Asks the engine now; publishes image.status when the answer changed. */
  check(): Promise<boolean>
  /** Builds the image with the configured builder (one at a time), then checks again. */
  build(): Promise<void>
  stop(): void
}

export interface ImageWatchDeps {
  image: string
  /** Does the engine have this image? (`docker image inspect`). */
  exists(image: string): Promise<boolean>
  /** Builds `image` (the test image for the mock agent, else the production Dockerfile). */
  buildImage(image: string): Promise<void>
  clock: Clock
  log: Logger
  bus: Pick<EventBus, 'publish'>
  /** While the image is missing, how often to look again (a build in another terminal counts too). */
  pollMs?: number
}

/**
 * Serve without an agent image: say so once, hold the turns instead of failing each message, and
 * let them go as soon as the image exists, whether built from the dashboard or with `ngb image build`.
 */
export function createImageWatch(deps: ImageWatchDeps): ImageWatch {
  const pollMs = deps.pollMs ?? 5000
  const state: ImageStatus = { image: deps.image, building: false }
  let waiters: Array<() => void> = []
  let timer: TimerHandle | undefined
  let stopped = false
  let building: Promise<void> | undefined

  const publish = () => deps.bus.publish({ type: 'image.status', ...state })
  const release = () => {
    const ready = waiters
    waiters = []
    for (const resolve of ready) resolve()
  }
  const schedulePoll = () => {
    if (stopped || timer || state.present) return
    timer = deps.clock.setTimeout(() => {
      timer = undefined
      void check()
    }, pollMs)
  }

  async function check(): Promise<boolean> {
    let present: boolean
    try {
      present = await deps.exists(deps.image)
    } catch (error) {
      deps.log.warn('could not ask the container engine about the agent image', {
        error: errorMessage(error),
      })
      present = false
    }
    const changed = present !== state.present
    const first = state.present === undefined
    state.present = present
    if (changed) {
      if (!present)
        deps.log.warn(
          `the agent image ${deps.image} is missing: messages wait until it exists. Build it with \`ngb image build\` (\`--test\` for the mock agent) or the Build button on the dashboard`,
          { component: 'image' },
        )
      else if (!first)
        deps.log.info(`the agent image ${deps.image} exists now: waiting turns start`, { component: 'image' })
      publish()
    }
    if (present) release()
    else schedulePoll()
    return present
  }

  return {
    status: () => ({ ...state }),
    check,
    ready() {
      if (state.present) return Promise.resolve()
      const waiting = new Promise<void>((resolve) => waiters.push(resolve))
      if (state.present === undefined) void check()
      return waiting
    },
    build() {
      building ??= (async () => {
        state.building = true
        state.buildError = undefined
        publish()
        try {
          await deps.buildImage(deps.image)
        } catch (error) {
          state.buildError = errorMessage(error)
          deps.log.error('building the agent image failed', { image: deps.image, error: state.buildError })
        } finally {
          state.building = false
          building = undefined
        }
        if (!(await check())) publish()
      })()
      return building
    },
    stop() {
      stopped = true
      if (timer) deps.clock.clearTimeout(timer)
    },
  }
}
