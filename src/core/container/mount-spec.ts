import { InvalidInputError } from '../errors.ts'
import type { ExtraMount } from '../types.ts'

/**
 * `host:container[:ro|:rw]`, as `docker -v` writes it (the CLI's `--mount` and the dashboard's
 * "Extra mounts" lines). Split from the right, because a container path has no colon but a host
 * path may. No container part means the host base name. No suffix asks for read-write, like
 * docker; the allowlist may still make it read-only.
 */
export function parseMountSpec(spec: string): ExtraMount {
  let rest = spec.trim()
  if (rest === '') throw new InvalidInputError('an extra mount is empty: use host:container[:ro]', 'mount')
  let readonly = false
  const suffix = /:(ro|rw)$/.exec(rest)
  if (suffix) {
    readonly = suffix[1] === 'ro'
    rest = rest.slice(0, -3)
  }
  const colon = rest.lastIndexOf(':')
  const hostPath = colon === -1 ? rest : rest.slice(0, colon)
  const containerPath = colon === -1 ? '' : rest.slice(colon + 1)
  if (hostPath === '')
    throw new InvalidInputError(`extra mount "${spec}" has no host path: use host:container[:ro]`, 'mount')
  return { hostPath, containerPath, readonly }
}

export function formatMountSpec(m: ExtraMount): string {
  const ctr = m.containerPath ? `:${m.containerPath}` : ''
  return `${m.hostPath}${ctr}${m.readonly === false ? '' : ':ro'}`
}
