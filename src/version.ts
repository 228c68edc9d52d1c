import pkg from '../package.json' with { type: 'json' }

declare const NGB_VERSION: string | undefined
declare const NGB_COMMIT: string | undefined

/** Injected by build.ts with --define; from source the package version and "dev". */
export const VERSION: string = typeof NGB_VERSION === 'string' ? NGB_VERSION : pkg.version
export const COMMIT: string = typeof NGB_COMMIT === 'string' ? NGB_COMMIT : 'dev'

export function versionLine(): string {
  return `ngb ${VERSION} (${COMMIT}) bun ${Bun.version}`
}
