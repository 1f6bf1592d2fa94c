// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { createDemoServer, type DemoServer } from '../../demo/createDemoServer'

let demo: DemoServer
let root: string
let origin: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'demo-guards-'))
  const page = join(root, 'page')
  mkdirSync(page)
  writeFileSync(join(page, 'index.html'), '<!doctype html><title>demo</title>')
  // A sibling whose name starts with the page folder's: a prefix check would serve it.
  mkdirSync(join(root, 'page-secret'))
  writeFileSync(join(root, 'page-secret', 'key.txt'), 'secret')
  writeFileSync(join(root, 'secret.txt'), 'secret')
  demo = await createDemoServer({ port: 0, host: '127.0.0.1', pageDir: page, speed: 0.05 })
  origin = demo.url.replace(/\/$/, '')
})

afterAll(async () => {
  await demo.close()
  rmSync(root, { recursive: true, force: true })
})

type Reply = { status: number; body: string }

/** One request with exactly these headers (no defaults but Host), the way a hostile page or tool would send it. */
function call(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      `${origin}${path.startsWith('/') ? '' : '/'}${path}`,
      { method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A raw request line, for targets `http.request` would not send as they are. */
function raw(target: string): Promise<number> {
  const { port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
    )
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      text += chunk
    })
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)))
    socket.on('error', reject)
  })
}

const json = { 'content-type': 'application/json' }

describe('the demo as a safe local app', () => {
  it('answers 400 to paths it cannot read, and stays up', async () => {
    for (const target of ['/%', '/%E0%A4%A', '//[', '/a%00b']) expect(await raw(target), target).toBe(400)
    expect((await call('/api/state')).status).toBe(200)
  })

  it('never serves a file outside its page folder', async () => {
    for (const path of [
      '/..%2fpage-secret/key.txt',
      '/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/../secret.txt',
    ]) {
      const reply = await call(path)
      expect(reply.body, path).not.toContain('secret')
    }
    expect((await call('/..%2fpage-secret/key.txt')).status).toBe(403)
    expect((await call('/anything')).body).toContain('<title>demo</title>')
  })

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    expect((await call('/api/state', { headers: { host: 'evil.example:80' } })).status).toBe(421)
    expect((await call('/', { headers: { host: 'rebind.attacker.test' } })).status).toBe(421)
    expect(
      (await call('/api/state', { headers: { host: `localhost:${new URL(origin).port}` } })).status,
    ).toBe(200)
  })

  it('refuses cross-origin and non-JSON POSTs, and changes nothing', async () => {
    const before = demo.chaos.reorder
    const body = JSON.stringify({ reorder: 0.9 })
    const crossOrigin = await call('/api/chaos', {
      method: 'POST',
      headers: { ...json, origin: 'http://evil.example' },
      body,
    })
    expect(crossOrigin.status).toBe(403)
    const nullOrigin = await call('/api/chaos', {
      method: 'POST',
      headers: { ...json, origin: 'null' },
      body,
    })
    expect(nullOrigin.status).toBe(403)
    const form = await call('/api/chaos', { method: 'POST', headers: { 'content-type': 'text/plain' }, body })
    expect(form.status).toBe(415)
    expect(demo.chaos.reorder).toBe(before)
    const own = await call('/api/chaos', { method: 'POST', headers: { ...json, origin }, body })
    expect(own.status).toBe(200)
    expect(demo.chaos.reorder).toBe(0.9)
    await call('/api/chaos', {
      method: 'POST',
      headers: { ...json, origin },
      body: JSON.stringify({ reorder: 0 }),
    })
  })

  it('opens its WebSocket only for its own origin', async () => {
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/live`, { origin: 'http://evil.example' })
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      socket.on('error', () => {})
    })
    expect(refused).toBe(403)
    const own = new WebSocket(`${origin.replace('http', 'ws')}/live`, { origin })
    await new Promise<void>((resolve, reject) => {
      own.once('open', () => resolve())
      own.once('error', reject)
    })
    own.close()
  })

  it('keeps a bounded backlog: past it, new runs are refused with 429', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const reply = await call('/api/runs', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ count: 20 }),
      })
      statuses.push(reply.status)
    }
    expect(statuses.slice(0, 2)).toEqual([201, 201])
    expect(statuses.at(-1)).toBe(429)
    expect(demo.board.room()).toBe(0)
  })
})
