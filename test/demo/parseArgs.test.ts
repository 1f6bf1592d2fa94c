import { parseArgs } from '../../demo/parseArgs'

describe('the demo command line', () => {
  it('reads every flag, as --flag value or --flag=value', () => {
    const args = parseArgs([
      '--port=0',
      '--host',
      '0.0.0.0',
      '--speed',
      '0.2',
      '--chaos',
      'reorder=0.1,dup=0.05,drop=0.02,kill=15s',
      '--restart-every',
      '30s',
      '--runs',
      '0',
    ])
    expect(args).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      speed: 0.2,
      runs: 0,
      chaos: { reorder: 0.1, duplicate: 0.05, drop: 0.02, killEveryMs: 15_000 },
      restartEveryMs: 30_000,
    })
  })

  it('leaves the port open (5173 or the next free one) and binds to loopback by default', () => {
    expect(parseArgs([])).toMatchObject({ port: undefined, host: '127.0.0.1', speed: 1, runs: 4 })
  })

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseArgs(['--port', '70000'])).toThrow(/--port must be a number from 0 to 65535/)
    expect(() => parseArgs(['--speed'])).toThrow(/--speed/)
    expect(() => parseArgs(['--chaos', 'drop=lots'])).toThrow(/drop must be a rate/)
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/)
  })
})
