import type { DataPaths } from '../../config/paths.ts'
import type { RunsRepo } from '../../db/repos/runs.ts'
import type { OutputFrame } from '../../protocol/container.ts'
import { CLOSE_SENTINEL, INTERRUPT_SENTINEL, IPC_DIRS } from '../../protocol/container.ts'
import { ipcFileName } from '../../protocol/ipc-files.ts'
import type { Clock, TimerHandle } from '../../util/clock.ts'
import type { Logger } from '../../util/log.ts'
import type { Masker } from '../../util/mask.ts'
import { safeWrite } from '../../util/safe-fs/index.ts'
import type { MountAllowlist } from '../container/allowlist.ts'
import { buildRunArgs, containerName, containerUser } from '../container/args.ts'
import { extraMounts, groupDirs, groupMounts, prepareGroupDirs } from '../container/mounts.ts'
import type { ContainerRuntime, RunningContainer } from '../container/runtime.ts'
import { ContainerError, errorMessage } from '../errors.ts'
import type { EventBus } from '../events.ts'
import type { Run, RunUsage } from '../types.ts'
import { addUsage, ZERO_USAGE } from '../usage/sum.ts'
import { createFrameParser } from './frames.ts'
import { createRunLog, logLines } from './run-log.ts'
import type { RunnerConfig } from './turn-spec.ts'
import { buildTurnSpec } from './turn-spec.ts'
import { createTurnTimer } from './turn-timer.ts'
import type { AgentRunner, TurnHandle, TurnOutcome, TurnRequest } from './types.ts'

export interface AgentRunnerDeps {
  runtime: ContainerRuntime
  config: RunnerConfig
  paths: Pick<DataPaths, 'groups' | 'global' | 'ipc' | 'state'>
  installId: string
  runs: Pick<RunsRepo, 'start' | 'finish'> & Partial<Pick<RunsRepo, 'sessionUsage'>>
  clock: Clock
  log: Logger
  masker: Masker
  /** The mount allowlist (undefined = none, so no extra mounts); read at each run. */
  allowlist: () => MountAllowlist | undefined
  /** Never mountable: the data dir, the config dir. */
  protectedPaths: string[]
  home: string
  /** Host uid/gid (defaults to this process); root maps to 1000 inside the container. */
  hostUser?: { uid: number; gid: number }
  /** When given, run.started / run.activity / run.output / run.finished are published here. */
  bus?: EventBus
  stopGraceSeconds?: number
}

export type { RunnerConfig }

/** How often a stop is repeated while the container client has not exited. */
const STOP_RETRY_MS = 500

/** Spawns one container per turn, streams its frames, and enforces timeouts and the output cap. */
export function createAgentRunner(deps: AgentRunnerDeps): AgentRunner {
  const hostUser = deps.hostUser ?? { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 }
  const user = containerUser(hostUser.uid, hostUser.gid)
  const grace = deps.stopGraceSeconds ?? 15
  /** Live turns per group, so deleting a group can stop its containers whoever started them. */
  const live = new Map<string, Set<TurnHandle>>()

  function start(req: TurnRequest): TurnHandle {
    const { clock, config } = deps
    const startedAt = clock.now()
    const runId = `${startedAt}-${Math.random().toString(36).slice(2, 8)}`
    const name = containerName(req.group.folder, startedAt)
    const dirs = groupDirs(deps.paths, req.group.folder)
    const log = deps.log.child({ component: 'runner', group: req.group.folder, runId })
    // Synchronous up to the spawn, so a close()/sendFollowUp() right after start() lands after the
    // stale input/ is cleared.
    prepareGroupDirs(dirs, hostUser.uid === 0 ? user : undefined)
    const runLogRel = `${req.group.folder}/logs/run-${runId}.log`
    const runLog = createRunLog(dirs.roots.groups, runLogRel, deps.masker, clock.now, (error) =>
      log.warn('the run log could not be written; the rest of this run is not logged there', {
        path: runLogRel,
        error: errorMessage(error),
      }),
    )
    const extras = extraMounts(req.group.settings.extraMounts ?? [], deps.allowlist(), {
      isMain: req.group.isMain,
      home: deps.home,
      protectedPaths: deps.protectedPaths,
    })
    for (const r of extras.rejected) {
      log.warn('extra mount rejected', { hostPath: r.request.hostPath, reason: r.reason })
      runLog.line('mount-rejected', `${r.request.hostPath}: ${r.reason}`)
    }
    const {
      spec,
      input,
      hardTimeoutMs: hardMs,
    } = buildTurnSpec(req, config, { name, runId, installId: deps.installId, user }, [
      ...groupMounts(dirs, req.group.isMain),
      ...extras.mounts,
    ])
    // A resumed session's provider reports running totals; it subtracts what earlier runs recorded.
    if (req.sessionId && deps.runs.sessionUsage) input.usageBaseline = deps.runs.sessionUsage(req.sessionId)
    runLog.line('start', `${name} ${buildRunArgs(spec).join(' ')}`)
    runLog.line(
      'input',
      `provider=${input.provider} session=${input.sessionId ?? '(new)'} hardTimeoutMs=${hardMs}`,
    )
    const run: Run = {
      id: runId,
      groupFolder: req.group.folder,
      trigger: req.trigger,
      containerName: name,
      startedAt,
      status: 'running',
      bytesOut: 0,
      logPath: runLog.path,
      chatJid: req.chatJid,
      taskId: req.taskId,
      sessionId: req.sessionId,
      usage: ZERO_USAGE,
    }
    deps.runs.start(run)
    deps.bus?.publish({ type: 'run.started', group: req.group.folder, run })

    // input/ is agent-writable: every write goes through safe-fs, relative to the trusted ipc root.
    const inputRel = `${req.group.folder}/${IPC_DIRS.input}`
    const writeInput = (name: string, text: string) => {
      try {
        safeWrite(dirs.roots.ipc, `${inputRel}/${name}`, text)
        return true
      } catch (error) {
        log.warn('could not write to the ipc input dir', { file: name, error: errorMessage(error) })
        return false
      }
    }
    let finished = false
    let timedOut = false
    let stopping: Promise<void> | undefined
    let failure: ContainerError | undefined
    let firstOutputAt: number | undefined
    let sessionId: string | undefined
    let lastError: { kind: string; message: string } | undefined
    let usage: RunUsage = ZERO_USAGE
    const results: string[] = []

    let exited = false
    let markExited = () => {}
    const exitedSignal = new Promise<void>((resolve) => {
      markExited = () => {
        exited = true
        resolve()
      }
    })
    // A stop can come before the engine has created the container (a timeout or Ctrl-C during
    // `docker run`'s start-up): `docker stop` then finds nothing and the container would appear
    // afterwards and run forever. So a stop is repeated until the client has exited.
    const stopUntilExited = async (): Promise<void> => {
      for (;;) {
        await deps.runtime.stop(name, grace).catch((error) => {
          log.error('could not stop container', { name, error: errorMessage(error) })
        })
        if (exited) return
        let retry: TimerHandle | undefined
        await Promise.race([
          exitedSignal,
          new Promise<void>((resolve) => {
            retry = clock.setTimeout(resolve, STOP_RETRY_MS)
          }),
        ])
        if (retry) clock.clearTimeout(retry)
        if (exited) return
      }
    }
    const stop = (why: string): Promise<void> => {
      if (!stopping) {
        runLog.line('stop', why)
        stopping = stopUntilExited()
      }
      return stopping
    }
    const writeClose = () => {
      if (!finished) writeInput(CLOSE_SENTINEL, '')
    }
    const onFrame = (frame: OutputFrame) => {
      firstOutputAt ??= clock.now()
      timer.output()
      runLog.line('frame', JSON.stringify(frame))
      if (frame.type !== 'session' && frame.usage) usage = addUsage(usage, frame.usage)
      if (frame.type === 'result') results.push(frame.text)
      else if (frame.type === 'session') sessionId = frame.sessionId
      else if (frame.type === 'error') lastError = { kind: frame.kind, message: frame.message }
      deps.bus?.publish({ type: 'run.activity', group: req.group.folder, runId, frame })
      if (frame.type === 'result')
        deps.bus?.publish({ type: 'run.output', group: req.group.folder, runId, text: frame.text })
      try {
        req.onFrame?.(frame)
      } catch (error) {
        log.warn('onFrame listener failed', { error: errorMessage(error) })
      }
    }

    let container: RunningContainer | undefined
    try {
      container = deps.runtime.start(spec)
      container.exited.then(markExited, markExited)
      container.stdin.write(JSON.stringify(input))
      container.stdin.end()
    } catch (error) {
      failure =
        error instanceof ContainerError
          ? error
          : new ContainerError('spawn', `could not start the container: ${errorMessage(error)}`, {
              cause: error,
            })
    }
    // Frames arrive only once `done` reads stdout below, after this is set.
    const timer = createTurnTimer({
      clock,
      idleMs: config.idleTimeoutMs,
      hardMs,
      onIdle() {
        runLog.line('idle', `no output for ${config.idleTimeoutMs} ms: closing`)
        writeClose()
      },
      onHard() {
        timedOut = true
        void stop(`no output for ${hardMs} ms: hard timeout`)
      },
    })

    const done = (async (): Promise<TurnOutcome> => {
      let exitCode: number | undefined
      let stderrTail = ''
      const parser = createFrameParser({
        maxBytes: config.maxOutputBytes,
        onFrame,
        onInvalid: (body, reason) => runLog.line('invalid-frame', `${reason}: ${body.slice(0, 500)}`),
        onJunk: (text) => runLog.line('stdout', text.trimEnd()),
      })
      if (container) {
        const c = container
        const readStderr = logLines(c.stderr, runLog, 'stderr', config.maxOutputBytes)
        try {
          for await (const chunk of c.stdout) parser.push(chunk)
        } catch (error) {
          failure =
            error instanceof ContainerError
              ? error
              : new ContainerError('exit', `reading the container output failed: ${errorMessage(error)}`)
          await stop(failure.message)
        }
        exitCode = await c.exited
        stderrTail = await readStderr.catch(() => '')
      }
      markExited()
      finished = true
      timer.stop()
      const { truncated } = parser.end()
      const status: TurnOutcome['status'] = timedOut ? 'timeout' : !failure && exitCode === 0 ? 'ok' : 'error'
      const error =
        status === 'ok'
          ? undefined
          : timedOut
            ? `the agent produced no output for ${hardMs} ms and was stopped`
            : (failure?.message ??
              lastError?.message ??
              describeExit(exitCode, deps.masker.mask(stderrTail), spec.image) +
                (truncated ? ' (output ended mid-frame)' : ''))
      const errorKind = timedOut ? 'timeout' : failure ? failure.failure : lastError?.kind
      const finishedAt = clock.now()
      deps.runs.finish(runId, {
        finishedAt,
        firstOutputAt,
        exitCode,
        status,
        error: error ? deps.masker.mask(error) : undefined,
        bytesOut: parser.bytes,
        sessionId,
        usage,
      })
      runLog.line(
        'end',
        `status=${status} exit=${exitCode ?? '-'} bytes=${parser.bytes} ms=${finishedAt - startedAt}`,
      )
      log.debug('run finished', { status, exitCode, ms: finishedAt - startedAt })
      deps.bus?.publish({
        type: 'run.finished',
        group: req.group.folder,
        run: {
          ...run,
          status,
          exitCode,
          error,
          firstOutputAt,
          finishedAt,
          bytesOut: parser.bytes,
          sessionId: sessionId ?? run.sessionId,
          usage,
        },
      })
      return { runId, status, exitCode, sessionId, results, error, errorKind, usage }
    })()

    return {
      runId,
      containerName: name,
      sendFollowUp(text, attachments) {
        if (finished) return false
        const body = { type: 'message', text, ...(attachments?.length ? { attachments } : {}) }
        if (!writeInput(ipcFileName(clock.now()), JSON.stringify(body))) return false
        runLog.line('follow-up', `${text.length} chars`)
        timer.input()
        return true
      },
      close: writeClose,
      interrupt() {
        if (finished) return false
        if (!writeInput(INTERRUPT_SENTINEL, '')) return false
        runLog.line('interrupt', 'turn interrupted on request')
        return true
      },
      kill: () => stop('killed on request'),
      done,
    }
  }

  function track(folder: string, handle: TurnHandle): TurnHandle {
    let set = live.get(folder)
    if (!set) {
      set = new Set()
      live.set(folder, set)
    }
    set.add(handle)
    const own = set
    void handle.done.finally(() => {
      own.delete(handle)
      if (own.size === 0 && live.get(folder) === own) live.delete(folder)
    })
    return handle
  }

  return {
    start: (req) => track(req.group.folder, start(req)),
    async killGroup(folder) {
      await Promise.all([...(live.get(folder) ?? [])].map((h) => h.kill()))
    },
  }
}

function describeExit(code: number | undefined, stderr: string, image: string): string {
  if (code === undefined) return 'the container did not start'
  if (code === 125 && /Unable to find image|No such image|pull access denied/i.test(stderr))
    return `the image ${image} is not present: run \`ngb image build\` (or \`ngb image build --test\`)`
  const last = stderr.trim().split('\n').at(-1)
  return `the container exited with code ${code}${last ? `: ${last}` : ''}`
}
