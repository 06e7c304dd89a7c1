import { compareCodePoints } from "./compareCodePoints.js"
import { hasWhitespace, splitWords } from "./normalizeText.js"
import { emptySet } from "./sortedSets.js"
import { normalizedArena } from "./normalizedArena.js"
import { arenaText, compareArenaTexts, sortArenaTexts, type TextArena } from "./TextArena.js"

/**
 * Prefix index over normalized names. A query without whitespace matches exactly the entities
 * having a word that starts with it (the whole name and trailing runs start with a word too);
 * a query with whitespace can only match the whole name or a trailing run, and every word of the
 * query but the last must then be a word of the name: candidates come from the rarest such word
 * and are verified against the stored normalized name.
 */
export type SearchIndex = {
  readonly size: number
  /** Distinct words, ascending by code point. */
  readonly words: ReadonlyArray<string>
  /** Entities of `words[w]` are `postings[postingStarts[w] .. postingStarts[w + 1] - 1]`, ascending. */
  readonly postingStarts: Int32Array
  readonly postings: Int32Array
  /** Per entity, its normalized name's words joined by single spaces. */
  readonly lines: TextArena
  /** Normalized names that differ from their line (other whitespace than single spaces). */
  readonly irregularNames: ReadonlyMap<number, string>
}

const SPACE = 0x20

/**
 * Indexes `count` names; `nameAt(i)` is the raw name of entity `entityOf[i]` (reading in storage
 * order rather than entity order keeps memory access sequential).
 */
export const buildSearchIndex = (
  count: number,
  nameAt: (i: number) => string,
  entityOf: (i: number) => number
): SearchIndex => {
  const irregularNames = new Map<number, string>()
  const byItem = normalizedArena(count, nameAt, (i, name) => irregularNames.set(entityOf(i), name))
  const { units } = byItem
  const lineStarts = new Int32Array(count)
  const lineEnds = new Int32Array(count)
  let occurrenceCount = 0
  for (let i = 0; i < count; i++) {
    const entity = entityOf(i)
    const start = byItem.starts[i]!
    const end = byItem.ends[i]!
    lineStarts[entity] = start
    lineEnds[entity] = end
    if (end > start) occurrenceCount++
    for (let at = start; at < end; at++) if (units[at] === SPACE) occurrenceCount++
  }
  // Every word occurrence as a slice of the arena, in entity order.
  const entities = new Int32Array(occurrenceCount)
  const starts = new Int32Array(occurrenceCount)
  const ends = new Int32Array(occurrenceCount)
  let next = 0
  for (let entity = 0; entity < count; entity++) {
    const end = lineEnds[entity]!
    let start = lineStarts[entity]!
    if (start === end) continue
    for (let at = start; at <= end; at++) {
      if (at === end || units[at] === SPACE) {
        entities[next] = entity
        starts[next] = start
        ends[next++] = at
        start = at + 1
      }
    }
  }
  const occurrences: TextArena = { units, starts, ends }
  // Distinct words through an open-addressing hash table over arena slices (no strings needed).
  let capacity = 16
  while (capacity < 2 * occurrenceCount) capacity *= 2
  const mask = capacity - 1
  const table = new Int32Array(capacity).fill(-1)
  const wordOf = new Int32Array(occurrenceCount)
  const firstOccurrence: Array<number> = []
  for (let i = 0; i < occurrenceCount; i++) {
    const start = starts[i]!
    const end = ends[i]!
    let hash = 0x811c9dc5
    for (let at = start; at < end; at++) hash = Math.imul(hash ^ units[at]!, 0x01000193)
    let slot = (hash ^ (hash >>> 15)) & mask
    for (;;) {
      const word = table[slot]!
      if (word < 0) {
        table[slot] = firstOccurrence.length
        wordOf[i] = firstOccurrence.length
        firstOccurrence.push(i)
        break
      }
      if (compareArenaTexts(occurrences, firstOccurrence[word]!, i, 0) === 0) {
        wordOf[i] = word
        break
      }
      slot = (slot + 1) & mask
    }
  }
  const wordCount = firstOccurrence.length
  const byWord = sortArenaTexts(Int32Array.from(firstOccurrence), occurrences)
  const rankOfWord = new Int32Array(wordCount)
  const words = new Array<string>(wordCount)
  for (let r = 0; r < wordCount; r++) {
    const occurrence = byWord[r]!
    rankOfWord[wordOf[occurrence]!] = r
    words[r] = arenaText(units, starts[occurrence]!, ends[occurrence]!)
  }
  // Counting sort of the occurrences by word; they are in entity order, so postings come out ascending.
  const postingStarts = new Int32Array(wordCount + 1)
  for (let i = 0; i < occurrenceCount; i++) postingStarts[rankOfWord[wordOf[i]!]! + 1]!++
  for (let r = 1; r <= wordCount; r++) postingStarts[r]! += postingStarts[r - 1]!
  const fill = postingStarts.slice(0, wordCount)
  const postings = new Int32Array(occurrenceCount)
  for (let i = 0; i < occurrenceCount; i++) {
    const r = rankOfWord[wordOf[i]!]!
    const entity = entities[i]!
    // A word repeated within one name is listed once.
    if (fill[r]! > postingStarts[r]! && postings[fill[r]! - 1] === entity) continue
    postings[fill[r]!++] = entity
  }
  // Close the gaps left by repeated words.
  let postingCount = 0
  for (let r = 0; r < wordCount; r++) {
    const from = postingStarts[r]!
    const to = fill[r]!
    postingStarts[r] = postingCount
    postings.copyWithin(postingCount, from, to)
    postingCount += to - from
  }
  postingStarts[wordCount] = postingCount
  return {
    size: count,
    words,
    postingStarts,
    postings: postingCount === occurrenceCount ? postings : postings.slice(0, postingCount),
    lines: { units, starts: lineStarts, ends: lineEnds },
    irregularNames
  }
}

const firstAtLeast = (words: ReadonlyArray<string>, query: string): number => {
  let lo = 0
  let hi = words.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareCodePoints(words[mid]!, query) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const postingsOf = (index: SearchIndex, word: number): Int32Array =>
  index.postings.subarray(index.postingStarts[word]!, index.postingStarts[word + 1]!)

/** Words `from .. to - 1` (ascending) are those starting with `prefix`. */
const wordsWithPrefix = (index: SearchIndex, prefix: string): { readonly from: number; readonly to: number } => {
  const { words } = index
  const from = firstAtLeast(words, prefix)
  let lo = from
  let hi = words.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (words[mid]!.startsWith(prefix)) lo = mid + 1
    else hi = mid
  }
  return { from, to: lo }
}

const exactWord = (index: SearchIndex, word: string): Int32Array => {
  const at = firstAtLeast(index.words, word)
  return index.words[at] === word ? postingsOf(index, at) : emptySet
}

const unitsStartWith = (units: Uint16Array, from: number, end: number, query: string): boolean => {
  if (end - from < query.length) return false
  for (let i = 0; i < query.length; i++) if (units[from + i] !== query.charCodeAt(i)) return false
  return true
}

const matchesPhrase = (index: SearchIndex, entity: number, query: string): boolean => {
  const { ends, starts, units } = index.lines
  const start = starts[entity]!
  const end = ends[entity]!
  const irregular = index.irregularNames.get(entity)
  if (irregular === undefined ? unitsStartWith(units, start, end, query) : irregular.startsWith(query)) return true
  for (let at = start; at < end; at++) {
    if (units[at] === SPACE && unitsStartWith(units, at + 1, end, query)) return true
  }
  return false
}

/**
 * The entities having a token that the already normalized `query` is a prefix of: the union of the
 * postings of words `from .. to - 1` (`postings[postingStarts[from] .. postingStarts[to] - 1]`, each
 * word's run ascending; an entity may appear under several words) and of `list` (ascending).
 */
export type SearchHits = {
  readonly from: number
  readonly to: number
  readonly list: Int32Array
}

const noHits: SearchHits = { from: 0, to: 0, list: emptySet }

export const searchHits = (index: SearchIndex, query: string): SearchHits => {
  if (query === "") return noHits
  if (!hasWhitespace(query)) {
    const { from, to } = wordsWithPrefix(index, query)
    return from === to ? noHits : { from, to, list: emptySet }
  }
  const queryWords = splitWords(query)
  let candidates: Int32Array | undefined
  for (let i = 0; i < queryWords.length - 1; i++) {
    const list = exactWord(index, queryWords[i]!)
    if (list.length === 0) return noHits
    if (candidates === undefined || list.length < candidates.length) candidates = list
  }
  if (candidates === undefined) return noHits
  const out = new Int32Array(candidates.length)
  let count = 0
  for (let i = 0; i < candidates.length; i++) {
    const entity = candidates[i]!
    if (matchesPhrase(index, entity, query)) out[count++] = entity
  }
  return { from: 0, to: 0, list: out.subarray(0, count) }
}

/**
 * How well the already normalized `query` matches `entity`, which it must match (README "Search"):
 * 0 the normalized name is the query, 1 the name starts with it, 2 only a later word or run of words does.
 */
export const matchTier = (index: SearchIndex, entity: number, query: string): number => {
  const irregular = index.irregularNames.size === 0 ? undefined : index.irregularNames.get(entity)
  if (irregular !== undefined) return irregular === query ? 0 : irregular.startsWith(query) ? 1 : 2
  const { ends, starts, units } = index.lines
  const start = starts[entity]!
  const end = ends[entity]!
  if (!unitsStartWith(units, start, end, query)) return 2
  return end - start === query.length ? 0 : 1
}

/** Tiers per field (matchTier's 0, 1, 2). */
export const tierCount = 3
