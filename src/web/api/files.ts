import { Elysia } from 'elysia'
import * as v from 'valibot'
import { isImageMime } from '../../core/attachments/sniff.ts'
import { NotFoundError } from '../../core/errors.ts'
import { FolderParams } from './schemas.ts'

const FileParams = v.object({ ...FolderParams.entries, '*': v.string() })

export interface WorkspaceFiles {
  /**
   * The bytes and sniffed MIME type of a file inside the group's workspace, read once through
   * safe-fs (links resolved only inside, never followed at read time); throws if it is not one.
   */
  read(folder: string, rel: string): Promise<{ bytes: Uint8Array; mimeType: string }>
}

/**
 * /api/groups/:folder/files/<path>: a file of the group's workspace, for the dashboard chat (what the
 * agent sent with send_file, what users uploaded). Behind the auth guard; images inline, everything
 * else as a download, never rendered as a page (nosniff, CSP sandbox).
 */
export function filesApi(files: WorkspaceFiles) {
  return new Elysia({ tags: ['groups'] }).get(
    '/api/groups/:folder/files/*',
    async ({ params }) => {
      const rel = decodeURIComponent(params['*'])
      let file: { bytes: Uint8Array; mimeType: string }
      try {
        file = await files.read(params.folder, rel)
      } catch {
        throw new NotFoundError(`no file "${rel}" in the workspace of group "${params.folder}"`)
      }
      const type = file.mimeType
      const name = rel.split('/').at(-1) ?? 'file'
      return new Response(new Blob([new Uint8Array(file.bytes)]), {
        headers: {
          'content-type': isImageMime(type) ? type : 'application/octet-stream',
          'content-disposition': `${isImageMime(type) ? 'inline' : 'attachment'}; filename="${name.replace(/[^\w.-]/g, '_')}"`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': 'sandbox',
        },
      })
    },
    { params: FileParams },
  )
}
