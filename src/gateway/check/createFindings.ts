import { RULES, type Rule } from './rules'

/** One broken rule, with what was seen. */
export interface Violation {
  rule: Rule
  /** The rule in words. */
  statement: string
  message: string
  /** How many times the same message came up. */
  count: number
}

/** The checker's results: violations (deduplicated by rule and message), notes and the rules that ran. */
export function createFindings() {
  const violations = new Map<string, Violation>()
  const notes: string[] = []
  const checked = new Set<Rule>()
  return {
    /** A rule was exercised (so a pass means something). */
    check(rule: Rule) {
      checked.add(rule)
    },
    violate(rule: Rule, message: string) {
      checked.add(rule)
      const key = `${rule}\n${message}`
      const found = violations.get(key)
      if (found) found.count++
      else violations.set(key, { rule, statement: RULES[rule], message, count: 1 })
    },
    note(text: string) {
      if (!notes.includes(text)) notes.push(text)
    },
    result() {
      const broken = new Set([...violations.values()].map((v) => v.rule))
      return {
        violations: [...violations.values()],
        notes: [...notes],
        passed: [...checked].filter((rule) => !broken.has(rule)),
      }
    },
  }
}

export type Findings = ReturnType<typeof createFindings>
