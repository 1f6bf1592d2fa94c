import { readFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'

/** The longest stall of the event loop seen, and what the process did meanwhile. */
export interface Stall {
  /** How late a 10 ms timer ran, ms. */
  ms: number
  /** CPU time of the whole process in that gap (JavaScript, GC and libuv threads, kernel work on its behalf), ms. */
  cpuMs: number
  /** CPU time of the main thread alone (10 ms resolution; null where /proc is missing). */
  mainCpuMs: number | null
  /** The part of it in the kernel (system calls: on loopback, closing a socket runs both ends' TCP work here). */
  mainKernelMs: number | null
  /** Garbage-collection pauses that ended in the gap, ms. */
  gcMs: number
  /** Open connections at its end (a burst of connects or closes shows here). */
  connections: number
}

const TICK_MS = 10
// Linux: utime and stime of the main thread, in clock ticks (USER_HZ, 100 per second on every Linux Node runs on).
const statFile = `/proc/self/task/${process.pid}/stat`
function mainThreadCpu(): { user: number; kernel: number } | null {
  try {
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ')
    return { user: Number(fields[11]) * 10, kernel: Number(fields[12]) * 10 }
  } catch {
    return null
  }
}

/**
 * Watches this process's event loop with a 10 ms timer and keeps its longest stall with the CPU time spent in it:
 * a stall the main thread spent on the CPU is the process's own work; one far longer than that was a wait for a
 * CPU (another process had it).
 * @example
 * const stalls = watchStalls(() => hub.metrics().connections)
 * stalls.reset(); await attack(); console.log(stalls.longest())
 */
export function watchStalls(connections: () => number) {
  const none: Stall = { ms: 0, cpuMs: 0, mainCpuMs: 0, mainKernelMs: 0, gcMs: 0, connections: 0 }
  let longest = none
  let gcTotal = 0
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcTotal += entry.duration
  }).observe({ entryTypes: ['gc'] })
  let last = { at: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpu(), gc: gcTotal }
  setInterval(() => {
    const now = { at: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpu(), gc: gcTotal }
    const ms = now.at - last.at - TICK_MS
    if (ms > longest.ms) {
      const [before, after] = [last.main, now.main]
      const known = before !== null && after !== null
      longest = {
        ms,
        cpuMs: (now.cpu.user - last.cpu.user + now.cpu.system - last.cpu.system) / 1000,
        mainCpuMs: known ? after.user + after.kernel - before.user - before.kernel : null,
        mainKernelMs: known ? after.kernel - before.kernel : null,
        gcMs: now.gc - last.gc,
        connections: connections(),
      }
    }
    last = now
  }, TICK_MS).unref()
  return {
    longest: () => longest,
    reset() {
      longest = none
    },
  }
}

const whole = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 })

/** The longest stall and how much of it the main thread spent on a CPU (the rest: waiting for one). */
export function describeStall(s: Stall): string {
  const main =
    s.mainCpuMs === null ? '?' : `${whole(s.mainCpuMs)} ms (${whole(s.mainKernelMs ?? 0)} in the kernel)`
  return `${whole(s.ms)} ms: main thread on a CPU ${main}, whole process ${whole(s.cpuMs)} ms, GC ${whole(s.gcMs)} ms, ${whole(s.connections)} open`
}
