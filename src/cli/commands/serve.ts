import { mkdirSync } from 'node:fs'
import { defineCommand } from 'citty'
import { createRuntime, startServe } from '../../app.ts'
import { installSignalHandlers } from '../../util/shutdown.ts'
import { VERSION } from '../../version.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { useColor } from '../output.ts'
import { removeServeFile, writeServeFile } from '../serve-file.ts'
import { acquireServeLock } from '../serve-lock.ts'

export default withExamples(
  defineCommand({
    meta: {
      name: 'serve',
      description: 'Run everything: orchestrator, channels, scheduler and the web dashboard',
    },
    args: {
      ...globalArgs,
      host: { type: 'string', description: 'Dashboard bind address (default 127.0.0.1)' },
      port: { type: 'string', description: 'Dashboard port (default 8080)' },
    },
    async run({ args }) {
      const startedAt = Date.now()
      const overrides: Record<string, string> = {}
      if (args.host) overrides.webHost = args.host
      if (args.port) overrides.webPort = args.port
      const loaded = loadFromFlags(args, overrides)
      // Before anything opens the database: one serve per data dir.
      mkdirSync(loaded.config.dataDir, { recursive: true, mode: 0o700 })
      const lock = acquireServeLock(loaded.config.dataDir, process.pid, loaded.config.webPort)
      let rt: ReturnType<typeof createRuntime>
      try {
        rt = createRuntime({ loaded, color: useColor(process.stderr) })
      } catch (error) {
        lock.release()
        throw error
      }
      // Registered first, so the ordered shutdown releases it last.
      rt.shutdown.add({ name: 'serve.lock', run: () => lock.release() })
      rt.log.debug('database ready', { component: 'serve', path: rt.paths.db })
      // Handlers first: a SIGTERM while starting still runs the ordered shutdown of what has started.
      const stopped = new Promise<void>((resolve) => {
        installSignalHandlers(
          rt.shutdown,
          (code) => {
            process.exitCode = code
            resolve()
          },
          (signal) => rt.log.info(`${signal}: shutting down`, { component: 'serve' }),
        )
      })
      const start = async () => {
        const { web } = await startServe(rt, {
          loaded,
          startedAt,
          onListening: (server) => lock.setPort(server.port),
        })
        // Tells `ngb groups/tasks/session …` on this data dir to go through this server.
        writeServeFile(rt.paths.dataDir, {
          pid: process.pid,
          url: web.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:'),
          version: VERSION,
          startedAt,
          installId: rt.installId,
        })
        rt.shutdown.add({ name: 'serve.json', run: () => removeServeFile(rt.paths.dataDir, process.pid) })
        rt.log.info(`ngb ${VERSION} serving the dashboard at ${web.url}`, {
          component: 'serve',
          installId: rt.installId,
        })
        process.stdout.write(`Dashboard: ${web.url}\n`)
        // The setup link carries a one-time token: it goes to the terminal, never to the log file.
        if (web.setupUrl) process.stdout.write(`First run: set the admin password at ${web.setupUrl}\n`)
      }
      try {
        await start()
      } catch (error) {
        // A signal during start-up tears down what had started; the steps still in flight then fail
        // (closed database, stopped server). That is the shutdown the user asked for, not an error.
        if (!rt.shutdown.started) {
          await rt.shutdown.run('start failed')
          throw error
        }
      }
      await stopped
    },
  }),
  ['ngb serve', 'ngb serve --host 0.0.0.0 --port 8080', 'NGB_DATA_DIR=/srv/ngb ngb serve'],
)
