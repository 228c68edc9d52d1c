import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { join } from 'node:path'
import { importRootfsImage, sharedLibraries } from '../../src/image/rootfs.ts'
import { docker, dockerTest } from '../helpers/docker.ts'
import { tempDir } from '../helpers/temp.ts'

const TAG = 'ngb-engine-smoke:test'
const LABEL = 'ngb.test=engine-smoke'

describe('the Docker engine', () => {
  beforeAll(async () => {
    if (process.env.NGB_TEST_DOCKER !== '1') return
    const dir = tempDir()
    const src = join(dir, 'hello.ts')
    await Bun.write(
      src,
      'console.log(["hello from", process.getuid?.(), ...process.argv.slice(2)].join(" "))\n',
    )
    const bin = join(dir, 'hello')
    const r = Bun.spawnSync([process.execPath, 'build', '--compile', src, '--outfile', bin], {
      stderr: 'pipe',
    })
    if (r.exitCode !== 0) throw new Error(r.stderr.toString())
    await importRootfsImage({
      cli: 'docker',
      tag: TAG,
      files: [{ from: bin, to: '/hello', mode: 0o755 }],
      entrypoint: ['/hello'],
    })
  })
  afterAll(() => {
    if (process.env.NGB_TEST_DOCKER !== '1') return
    docker([
      'rm',
      '-f',
      ...docker(['ps', '-aq', '--filter', `label=${LABEL}`])
        .out.split('\n')
        .filter(Boolean),
    ])
    docker(['rmi', '-f', TAG])
  })

  dockerTest('runs a real container from a locally imported image, unprivileged and without network', () => {
    const r = docker([
      'run',
      '--rm',
      '--label',
      LABEL,
      '--network',
      'none',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      TAG,
      'world',
    ])
    expect(r.err).toBe('')
    expect(r.out.trim()).toBe('hello from 1000 world')
    expect(r.code).toBe(0)
  })

  dockerTest('the rootfs carries the shared libraries the binary needs', () => {
    expect(sharedLibraries(process.execPath).some((l) => /libc\.so/.test(l))).toBe(true)
  })
})
