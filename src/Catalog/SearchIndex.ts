import { compareCodePoints } from "./compareCodePoints.js"
import { hasWhitespace, isSingleSpaced, normalizeText, splitWords } from "./normalizeText.js"
import { sortIndicesByString } from "./sortIndicesByString.js"
import { emptySet, unionSorted } from "./sortedSets.js"

const identity = (size: number): Int32Array => {
  const out = new Int32Array(size)
  for (let i = 0; i < size; i++) out[i] = i
  return out
}

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
  /** Normalized name per entity. */
  readonly names: ReadonlyArray<string>
  /** Words of the name joined by one space (the same string as `names[e]` when equal). */
  readonly joined: ReadonlyArray<string>
}

export const buildSearchIndex = (rawNames: ReadonlyArray<string>): SearchIndex => {
  const size = rawNames.length
  const names = new Array<string>(size)
  const joined = new Array<string>(size)
  const wordIds = new Map<string, number>()
  const distinct: Array<string> = []
  const occurrences: Array<number> = []
  for (let e = 0; e < size; e++) {
    const name = normalizeText(rawNames[e]!)
    const plain = isSingleSpaced(name)
    const words = name === "" ? [] : plain ? name.split(" ") : splitWords(name)
    names[e] = name
    joined[e] = plain ? name : words.join(" ")
    for (const word of words) {
      let id = wordIds.get(word)
      if (id === undefined) {
        id = distinct.length
        wordIds.set(word, id)
        distinct.push(word)
      }
      occurrences.push(id, e)
    }
  }
  const byWord = sortIndicesByString(identity(distinct.length), distinct)
  const slot = new Int32Array(distinct.length)
  for (let w = 0; w < byWord.length; w++) slot[byWord[w]!] = w
  const starts = new Int32Array(distinct.length + 1)
  for (let i = 0; i < occurrences.length; i += 2) starts[slot[occurrences[i]!]! + 1]!++
  for (let w = 1; w <= distinct.length; w++) starts[w]! += starts[w - 1]!
  const fill = starts.slice(0, distinct.length)
  const postings = new Int32Array(occurrences.length >>> 1)
  for (let i = 0; i < occurrences.length; i += 2) {
    const w = slot[occurrences[i]!]!
    const entity = occurrences[i + 1]!
    // Entities arrive in ascending order; skip a word repeated within one name.
    if (fill[w]! > starts[w]! && postings[fill[w]! - 1] === entity) continue
    postings[fill[w]!++] = entity
  }
  // Compact away the gaps left by repeated words.
  let count = 0
  const postingStarts = new Int32Array(distinct.length + 1)
  for (let w = 0; w < distinct.length; w++) {
    postingStarts[w] = count
    for (let i = starts[w]!; i < fill[w]!; i++) postings[count++] = postings[i]!
  }
  postingStarts[distinct.length] = count
  return {
    size,
    words: Array.from(byWord, (w) => distinct[w]!),
    postingStarts,
    postings: count === postings.length ? postings : postings.slice(0, count),
    names,
    joined
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

const wordsWithPrefix = (index: SearchIndex, prefix: string): Int32Array => {
  const { words } = index
  const from = firstAtLeast(words, prefix)
  let lo = from
  let hi = words.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (words[mid]!.startsWith(prefix)) lo = mid + 1
    else hi = mid
  }
  if (lo === from) return emptySet
  if (lo === from + 1) return postingsOf(index, from)
  const lists: Array<Int32Array> = []
  for (let w = from; w < lo; w++) lists.push(postingsOf(index, w))
  return unionSorted(lists, index.size)
}

const exactWord = (index: SearchIndex, word: string): Int32Array => {
  const at = firstAtLeast(index.words, word)
  return index.words[at] === word ? postingsOf(index, at) : emptySet
}

const matchesPhrase = (index: SearchIndex, entity: number, query: string): boolean => {
  if (index.names[entity]!.startsWith(query)) return true
  const line = index.joined[entity]!
  for (let at = line.indexOf(" "); at >= 0; at = line.indexOf(" ", at + 1)) {
    if (line.startsWith(query, at + 1)) return true
  }
  return false
}

/** Entities (ascending) having a token that the already normalized `query` is a prefix of. */
export const searchNormalized = (index: SearchIndex, query: string): Int32Array => {
  if (query === "") return emptySet
  if (!hasWhitespace(query)) return wordsWithPrefix(index, query)
  const queryWords = splitWords(query)
  let candidates: Int32Array | undefined
  for (let i = 0; i < queryWords.length - 1; i++) {
    const list = exactWord(index, queryWords[i]!)
    if (candidates === undefined || list.length < candidates.length) candidates = list
    if (list.length === 0) return emptySet
  }
  if (candidates === undefined) return emptySet
  const out = new Int32Array(candidates.length)
  let count = 0
  for (let i = 0; i < candidates.length; i++) {
    const entity = candidates[i]!
    if (matchesPhrase(index, entity, query)) out[count++] = entity
  }
  return out.subarray(0, count)
}
