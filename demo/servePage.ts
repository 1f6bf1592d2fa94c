import { createReadStream, existsSync, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * Streams the built page's file for a URL path (the page itself for anything that is not a file), never from
 * outside `dir`: the decoded path is resolved inside the folder and checked relative to it, so `..`, a sibling
 * folder sharing the folder name's prefix or an absolute path are refused. Returns the refusal to send, or null.
 * @example
 * const refused = servePage(pageDir, '/assets/app.js', response)
 * if (refused) sendJson(response, refused.status, { error: refused.error })
 */
export function servePage(
  dir: string,
  path: string,
  response: ServerResponse,
): { status: number; error: string } | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return { status: 400, error: 'unreadable path' }
  }
  if (decoded.includes('\0')) return { status: 400, error: 'unreadable path' }
  const root = resolve(dir)
  let file = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`)
  const inside = relative(root, file)
  if (isAbsolute(inside) || inside.split(sep)[0] === '..') return { status: 403, error: 'forbidden' }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
  })
  // A file that vanished or cannot be read cuts this response, never the process.
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response)
  return null
}
